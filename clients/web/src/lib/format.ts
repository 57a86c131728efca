// Display helpers shared by the pages (Chinese formats; the API sends decimals as strings).

const yuan = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 1234567.8 → "123.46 万元" above 10,000 yuan, else "1,234.00 元". */
export function money(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = Number(value);
  return Math.abs(n) >= 10_000 ? `${yuan.format(n / 10_000)} 万元` : `${yuan.format(n)} 元`;
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

export function when(value: string | null | undefined): string {
  return value ? dateTime.format(new Date(value)) : '—';
}

/** "还剩 2 天 3 小时" / "已超时 5 分钟" until `deadline`, as of `now` (ms). */
export function countdown(deadline: string, now: number): string {
  let ms = Date.parse(deadline) - now;
  const overdue = ms < 0;
  ms = Math.abs(ms);
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const text = days ? `${days} 天 ${hours} 小时` : hours ? `${hours} 小时 ${mins} 分钟` : `${mins} 分钟`;
  return overdue ? `已超时 ${text}` : `还剩 ${text}`;
}
