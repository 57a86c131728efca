// A clock for "已超时 …" texts: one ref ticking every 30 s for the whole console.
import { ref } from 'vue';

export const now = ref(Date.now());
setInterval(() => (now.value = Date.now()), 30_000);

/** "已超时 2 小时 5 分钟" when past due, else "" (the overdue column stays blank). */
export function overdueText(due: string | null | undefined, at: number): string {
  if (!due) return '';
  let minutes = Math.floor((at - Date.parse(due)) / 60_000);
  if (minutes <= 0) return '';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  minutes %= 60;
  return `已超时 ${days ? `${days} 天 ` : ''}${days || hours ? `${hours} 小时 ` : ''}${minutes} 分钟`;
}
