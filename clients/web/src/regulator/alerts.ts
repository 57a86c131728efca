// What an alert says, read for the console: finance writes its supervision alerts as text
// ("督办预警：订单 N20261206-… GRABBED 环节超时", "时限 2026-12-06T14:16:17+00:00，…"), so the
// order number, the late stage and the deadline are read back from it; enum words become Chinese.
import type { HandlingStatus, RegulatorAlertFragment } from '../gql/graphql';
import { when } from '../lib/format';
import { ALERT_SOURCE, HANDLING_STATUS, STAGE } from './labels';

export interface AlertView {
  kind: string;
  orderNo: string | null;
  /** 超时环节, or what the alert says for 催单 / 贷后预警. */
  what: string;
  dueAt: string | null;
}

const isStatus = (word: string): word is HandlingStatus => word in HANDLING_STATUS;

export function readAlert(alert: RegulatorAlertFragment): AlertView {
  const orderNo = /[AN]\d{8}-[0-9A-Fa-f]+/.exec(alert.title)?.[0] ?? null;
  const kind = ALERT_SOURCE[alert.source] ?? '预警';
  if (alert.source !== 'supervision') return { kind, orderNo, what: alert.detail, dueAt: null };
  const stage = /([A-Z_]+) 环节超时/.exec(alert.title)?.[1];
  const what = stage && isStatus(stage) ? `${STAGE[stage]}环节超时` : alert.title.includes('办结超期') ? '办结超期' : alert.title;
  const due = /时限 (\S+?)[，,]/.exec(alert.detail)?.[1] ?? null;
  return { kind, orderNo, what, dueAt: due && !Number.isNaN(Date.parse(due)) ? due : null };
}

/** An alert's title without raw enum words (for places that show the title itself). */
export function alertTitle(alert: RegulatorAlertFragment): string {
  return alert.title.replace(/\b([A-Z_]{4,})\b/g, (word) => (isStatus(word) ? STAGE[word] : word));
}

export { when };
