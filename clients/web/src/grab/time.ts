// A ticking clock for countdowns, and "how long ago" for posted times.
import { onScopeDispose, ref, type Ref } from 'vue';

/** Date.now(), updated every `everyMs` while the calling component lives. */
export function useNow(everyMs = 1_000): Ref<number> {
  const now = ref(Date.now());
  const timer = setInterval(() => (now.value = Date.now()), everyMs);
  onScopeDispose(() => clearInterval(timer));
  return now;
}

const monthDay = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "刚刚" / "5 分钟前" / "3 小时前" / "12/01 09:30". */
export function ago(value: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(value)) / 60_000);
  if (minutes < 1) return '刚刚';
  if (minutes < 60) return `${minutes} 分钟前`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} 小时前`;
  return monthDay.format(new Date(value));
}
