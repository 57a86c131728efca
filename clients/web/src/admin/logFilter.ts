// What the two log views (登录日志 LogsView, 操作日志 PageViewsView) share: the date range picked as
// days in China time (the last 30 by default), the filter it makes with the view's own fields, the
// pages of the result, and 导出 Excel of what the filter selects (an XLSX made on the server).
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { useClientHandle } from '@urql/vue';
import { ref, type Ref } from 'vue';
import { errorMessage } from '../lib/errors';
import { failed } from '../regulator/notify';
import { saveBase64 } from './files';
import { cursorPages } from './paging';

/** A day in China time as YYYY-MM-DD, `days` from today. */
export const day = (days: number): string =>
  new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);

/** A date picked in the console is a day in China time: its start, and the next day's start. */
const dayStart = (date: string, plus = 0): string => {
  const t = new Date(`${date}T00:00:00+08:00`);
  t.setUTCDate(t.getUTCDate() + plus);
  return t.toISOString();
};

interface ExportFile {
  fileName: string;
  contentType: string;
  contentBase64: string;
}

export function logFilter<F extends object, E extends AnyVariables, R>(
  fields: () => F,
  exportQuery: TypedDocumentNode<R, E>,
  file: (data: R) => ExportFile,
) {
  const from = ref(day(-29));
  const to = ref(day(0));
  const filter = ref({}) as Ref<F & { from?: string; to?: string }>;
  const paging = cursorPages();
  function query(): void {
    if (from.value > to.value) return failed('开始日期不能晚于结束日期');
    filter.value = { ...fields(), from: dayStart(from.value), to: dayStart(to.value, 1) };
    paging.reset();
  }
  query();

  const client = useClientHandle().client;
  const exporting = ref(false);
  async function exportXlsx(): Promise<void> {
    exporting.value = true;
    const variables = { filter: filter.value } as unknown as E;
    const result = await client.query(exportQuery, variables, { requestPolicy: 'network-only' }).toPromise();
    exporting.value = false;
    if (result.error || !result.data) return failed(errorMessage(result.error));
    const made = file(result.data);
    saveBase64(made.fileName, made.contentType, made.contentBase64);
  }
  return { from, to, filter, paging, query, exporting, exportXlsx };
}
