// Feedback on the desktop console: a bar at the top (Vant Notify), green when done, red with the
// API's error in Chinese when not.
import { showNotify } from 'vant';
import 'vant/es/notify/style';

export const done = (message: string): void => void showNotify({ type: 'success', message, duration: 2000 });
export const failed = (message: string): void => void showNotify({ type: 'danger', message, duration: 3000 });
