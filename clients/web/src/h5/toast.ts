// Failure toasts as plain text: Vant's icon toasts are 88 px wide, too narrow for a Chinese
// error sentence (it would wrap to three lines).
import { showToast } from 'vant';
import 'vant/es/toast/style';

export function failToast(message: string): void {
  showToast({ message, type: 'text', duration: 2500 });
}

/** A short confirmation (saved, submitted), in the same plain-text form. */
export function doneToast(message: string): void {
  showToast({ message, type: 'text', duration: 1500 });
}
