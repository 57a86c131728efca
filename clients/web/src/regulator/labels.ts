// Chinese labels of the API's enums shown on the console (API names stay English).
import type {
  AlertLevel,
  ComplaintStatus,
  HandlingStatus,
  StatisticsGroup,
  StatisticsPeriod,
  SupervisionActionKind,
  WarningKind,
} from '../gql/graphql';

export { COMPLAINT_KIND, ORDER_KIND, VERDICT } from '../lib/labels';

export const HANDLING_STATUS: Record<HandlingStatus, string> = {
  ASSIGNED: '待抢单',
  GRABBED: '待初审',
  PRE_REVIEWED: '已初审',
  OFFERED: '已预授信',
  SELECTED: '已选定',
  CREDITED: '已授信',
  DISBURSED: '已放款',
  REJECTED: '已拒绝',
  NOT_SELECTED: '未被选中',
  TRANSFERRED: '已转单',
  WITHDRAWN: '已撤回',
};

/** The stage a supervision warning names: the step that is late. */
export const STAGE: Record<HandlingStatus, string> = {
  ...HANDLING_STATUS,
  ASSIGNED: '抢单',
  GRABBED: '电话初审',
  PRE_REVIEWED: '授信决策',
  OFFERED: '客户选择',
  SELECTED: '授信决策',
  CREDITED: '放款',
};

export const WARNING_KIND: Record<WarningKind, string> = { STAGE: '环节超时', COMPLETION: '办结超期' };

export const ACTION_KIND: Record<SupervisionActionKind, string> = {
  URGE: '催单',
  TRANSFER: '转单',
  OVERDUE_REASON: '超时说明',
};

export const COMPLAINT_STATUS: Record<ComplaintStatus, string> = {
  SUBMITTED: '待机构处理',
  HANDLED: '待监管复核',
  REVIEWED: '已复核',
};

export const ALERT_LEVEL: Record<AlertLevel, string> = { INFO: '提示', WARNING: '预警', CRITICAL: '严重' };

/** Where an alert came from (operations' `source`); only these concern the regulator's console. */
export const ALERT_SOURCE: Record<string, string> = {
  supervision: '督办预警',
  urge: '催单',
  post_loan: '贷后预警',
};

export const PERIOD: Record<StatisticsPeriod, string> = { WEEK: '按周', MONTH: '按月' };
export const GROUP: Record<StatisticsGroup, string> = { INSTITUTION: '按机构', PRODUCT: '按产品' };

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default';

export function statusTag(status: HandlingStatus): TagType {
  if (status === 'DISBURSED') return 'success';
  if (status === 'REJECTED' || status === 'WITHDRAWN' || status === 'NOT_SELECTED') return 'default';
  if (status === 'TRANSFERRED') return 'warning';
  return 'primary';
}
