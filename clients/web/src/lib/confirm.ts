// 确认对话框: Vant's confirm dialog as a yes / no answer (cancelled or closed: no), so a page
// reads `if (!(await confirm({ … }))) return;` rather than a then-pair or a try/catch each time.
import { showConfirmDialog, type DialogOptions } from 'vant';
import 'vant/es/dialog/style';

export function confirm(options: DialogOptions): Promise<boolean> {
  return showConfirmDialog(options).then(
    () => true,
    () => false,
  );
}
