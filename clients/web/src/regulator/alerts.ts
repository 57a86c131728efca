// What an alert says, read for the console: finance writes its supervision alerts as text
// ("督办预警：订单 N20261206-… GRABBED 环节超时", "时限 2026-12-06T14:16:17+00:00，…"), so the
// order number, the late stage and the deadline are read back from it; enum words become Chinese.
import type { HandlingStatus, RegulatorAlertFragment } from '../gql/graphql';
import { ALERT_SOURCE, HANDLING_STATUS, STAGE } from './labels';

export interface AlertView {
  kind: string;
  orderNo: string | null;
  /** The late stage of a supervision warning (null for 催单 / 贷后预警). */
  stage: string | null;
  /** What the alert says, in Chinese. */
  what: string;
  dueAt: string | null;
}

const isStatus = (word: string): word is HandlingStatus => word in HANDLING_STATUS;

export function readAlert(alert: RegulatorAlertFragment): AlertView {
  const orderNo = /[AN]\d{8}-[0-9A-Fa-f]+/.exec(alert.title)?.[0] ?? null;
  const kind = ALERT_SOURCE[alert.source] ?? '预警';
  if (alert.source !== 'supervision') return { kind, orderNo, stage: null, what: alert.detail, dueAt: null };
  const late = /([A-Z_]+) 环节超时/.exec(alert.title)?.[1];
  const stage = late && isStatus(late) ? STAGE[late] : alert.title.includes('办结超期') ? '办结' : null;
  const what = stage === '办结' ? '办结超期，请尽快办理或说明超时原因' : `${stage ?? ''}环节超时，请尽快办理或说明超时原因`;
  const due = /时限 (\S+?)[，,]/.exec(alert.detail)?.[1] ?? null;
  return { kind, orderNo, stage, what, dueAt: due && !Number.isNaN(Date.parse(due)) ? due : null };
}
