// 市场统计 as rows: the table, its totals row and both exports (CSV with a BOM so Excel shows the
// Chinese; XLSX with exceljs, loaded only when exporting) share them. Sums are exact, in fen.
import type { RegulatorStatisticsQuery, StatisticsGroup, StatisticsPeriod } from '../gql/graphql';
import { GROUP, PERIOD } from './labels';

export type Stat = RegulatorStatisticsQuery['marketplaceStatistics'][number];
export type Trend = RegulatorStatisticsQuery['districtTrends'][number];

export const fen = (yuan: string): number => Math.round(Number(yuan) * 100);
export const yuanText = (cents: number): string => (cents / 100).toFixed(2);
export const percent = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
export const change = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : `${rate > 0 ? '+' : ''}${(rate * 100).toFixed(1)}%`;

export function periodLabel(period: StatisticsPeriod, start: string): string {
  const [y, m, d] = start.split('-');
  return period === 'MONTH' ? `${y}年${Number(m)}月` : `${y}-${m}-${d} 当周`;
}

export function groupName(stat: Stat, group: StatisticsGroup): string {
  // A product is one institution's (two may share a name), and needs have no product at all.
  const institution = stat.institution?.name ?? '未知机构';
  if (group === 'PRODUCT') return `${stat.product?.name ?? '融资需求'}（${institution}）`;
  return institution;
}

export interface Totals {
  orders: number;
  processed: number;
  applied: number;
  credited: number;
  disbursed: number;
}

export function totals(stats: readonly Stat[]): Totals {
  const t: Totals = { orders: 0, processed: 0, applied: 0, credited: 0, disbursed: 0 };
  for (const s of stats) {
    t.orders += s.orders;
    t.processed += s.processed;
    t.applied += fen(s.appliedAmount);
    t.credited += fen(s.creditedAmount);
    t.disbursed += fen(s.disbursedAmount);
  }
  return t;
}

export const HEADER = [
  '统计周期',
  '机构/产品',
  '订单数',
  '已处理数',
  '处理率',
  '初审通过率',
  '申请金额(元)',
  '授信金额(元)',
  '放款金额(元)',
  '订单数环比',
  '放款金额环比',
];

/** The table's cells: strings for text and rates, numbers for counts, yuan as numbers. */
export type Cell = string | number;

export function tableRows(stats: readonly Stat[], period: StatisticsPeriod, group: StatisticsGroup): Cell[][] {
  return stats.map((s) => [
    periodLabel(period, s.period),
    groupName(s, group),
    s.orders,
    s.processed,
    percent(s.processingRate),
    percent(s.preReviewPassRate),
    fen(s.appliedAmount) / 100,
    fen(s.creditedAmount) / 100,
    fen(s.disbursedAmount) / 100,
    change(s.ordersChange),
    change(s.disbursedAmountChange),
  ]);
}

export function totalRow(t: Totals): Cell[] {
  return [
    '合计',
    '',
    t.orders,
    t.processed,
    percent(t.orders ? t.processed / t.orders : null),
    '—',
    t.applied / 100,
    t.credited / 100,
    t.disbursed / 100,
    '—',
    '—',
  ];
}

export const TREND_HEADER = ['统计周期', '区县', '订单数', '申请金额(元)', '放款金额(元)', '订单数环比'];

export function trendRows(trends: readonly Trend[], period: StatisticsPeriod): Cell[][] {
  return trends.map((t) => [
    periodLabel(period, t.period),
    t.district || '未填写',
    t.orders,
    fen(t.appliedAmount) / 100,
    fen(t.disbursedAmount) / 100,
    change(t.ordersChange),
  ]);
}

export function fileName(period: StatisticsPeriod, group: StatisticsGroup, start: string, end: string): string {
  return `市场统计_${PERIOD[period]}_${GROUP[group]}_${start}至${end}`;
}

const AMOUNT_COLUMNS = new Set([6, 7, 8]);

function csvCell(cell: Cell, column: number): string {
  const text = typeof cell === 'number' && AMOUNT_COLUMNS.has(column) ? cell.toFixed(2) : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: Cell[][]): Blob {
  const text = rows.map((row) => row.map(csvCell).join(',')).join('\r\n');
  return new Blob(['\uFEFF', text, '\r\n'], { type: 'text/csv;charset=utf-8' });
}

type ExcelJS = typeof import('exceljs');

export async function toXlsx(
  sheets: { name: string; header: string[]; rows: Cell[][]; total?: Cell[]; amounts: number[] }[],
): Promise<Blob> {
  const loaded: unknown = await import('exceljs');
  const excel = ((loaded as { default?: ExcelJS }).default ?? loaded) as ExcelJS;
  const book = new excel.Workbook();
  book.creator = '监管控制台';
  for (const sheet of sheets) {
    const ws = book.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(sheet.header).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row);
    if (sheet.total) ws.addRow(sheet.total).font = { bold: true };
    ws.columns.forEach((column, i) => {
      column.width = i < 2 ? 28 : 16;
      if (sheet.amounts.includes(i)) column.numFmt = '#,##0.00';
    });
  }
  const buffer = await book.xlsx.writeBuffer();
  return new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Today in China Standard Time, as YYYY-MM-DD, and n days before it. */
export function cstDate(daysAgo = 0): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now() - daysAgo * 86_400_000);
}

/** Every period start (Monday or the 1st) from the one holding `start` to the one holding `end`,
 * as the API names them: a time axis with the empty periods too. */
export function periodsBetween(period: StatisticsPeriod, start: string, end: string): string[] {
  const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
  const first = day(start);
  if (period === 'WEEK') first.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
  else first.setUTCDate(1);
  const out: string[] = [];
  for (const d = first; d <= day(end) && out.length < 120; ) {
    out.push(d.toISOString().slice(0, 10));
    if (period === 'WEEK') d.setUTCDate(d.getUTCDate() + 7);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/** The API refuses ranges over two years (BAD_USER_INPUT): said before asking. */
export function rangeProblem(start: string, end: string): string {
  if (!start || !end) return '请选择统计区间';
  if (start > end) return '开始日期不能晚于结束日期';
  const limit = new Date(`${start}T00:00:00Z`);
  limit.setUTCFullYear(limit.getUTCFullYear() + 2);
  return new Date(`${end}T00:00:00Z`) > limit ? '统计区间最长两年，请缩短区间' : '';
}
