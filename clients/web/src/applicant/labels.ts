// Chinese labels of the API's enums (the API names stay English; users never see them).
import type {
  ApplicationStatus,
  ComplaintStatus,
  HandlingStatus,
  LoanMethod,
  MyOrderEventKind,
  NeedStatus,
  OfferStatus,
} from '../gql/graphql';

export { COMPLAINT_KIND, GUARANTEE, VERDICT } from '../lib/labels';

type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'default';

export const NEED_STATUS: Record<NeedStatus, string> = {
  OPEN: '待机构受理',
  HANDLING: '机构受理中',
  SELECTED: '已选定方案',
  CREDITED: '已授信',
  DISBURSED: '已放款',
  CREDIT_FAILED: '授信失败',
  WITHDRAWN: '已撤回',
  REPUBLISHED: '已重新发布',
};

/** The need's status as the applicant reads it: an open need some institution took is 受理中. */
export function needStatus(status: NeedStatus, grabCount: number): string {
  return status === 'OPEN' && grabCount > 0 ? NEED_STATUS.HANDLING : NEED_STATUS[status];
}

export const NEED_TAG: Record<NeedStatus, TagType> = {
  OPEN: 'primary',
  HANDLING: 'warning',
  SELECTED: 'warning',
  CREDITED: 'success',
  DISBURSED: 'success',
  CREDIT_FAILED: 'danger',
  WITHDRAWN: 'default',
  REPUBLISHED: 'default',
};

export const APPLICATION_STATUS: Record<ApplicationStatus, string> = {
  SUBMITTED: '已提交',
  HANDLING: '机构受理中',
  CREDITED: '已授信',
  DISBURSED: '已放款',
  REJECTED: '未通过',
  WITHDRAWN: '已撤回',
};

export const APPLICATION_TAG: Record<ApplicationStatus, TagType> = {
  SUBMITTED: 'primary',
  HANDLING: 'warning',
  CREDITED: 'success',
  DISBURSED: 'success',
  REJECTED: 'danger',
  WITHDRAWN: 'default',
};

export const HANDLING_STATUS: Record<HandlingStatus, string> = {
  ASSIGNED: '待抢单',
  GRABBED: '已抢单',
  PRE_REVIEWED: '初审通过',
  OFFERED: '已出预授信',
  SELECTED: '已选定',
  CREDITED: '已授信',
  DISBURSED: '已放款',
  REJECTED: '未通过',
  NOT_SELECTED: '未选定',
  TRANSFERRED: '已转单',
  WITHDRAWN: '已撤回',
};

export const HANDLING_TAG: Record<HandlingStatus, TagType> = {
  ASSIGNED: 'default',
  GRABBED: 'primary',
  PRE_REVIEWED: 'primary',
  OFFERED: 'warning',
  SELECTED: 'success',
  CREDITED: 'success',
  DISBURSED: 'success',
  REJECTED: 'danger',
  NOT_SELECTED: 'default',
  TRANSFERRED: 'default',
  WITHDRAWN: 'default',
};

export const OFFER_STATUS: Record<OfferStatus, string> = {
  OFFERED: '待选择',
  ACCEPTED: '已选择',
  NOT_ACCEPTED: '未选择',
};

export const EVENT_KIND: Record<MyOrderEventKind, string> = {
  SUBMITTED: '已提交',
  VIEWED: '被机构查看',
  GRABBED: '已被抢单',
  PRE_REVIEWED: '电话初审通过',
  OFFERED: '预授信',
  SELECTED: '已选定方案',
  CREDITED: '已授信',
  CREDIT_FAILED: '授信失败',
  DISBURSED: '已放款',
  REJECTED: '未通过',
  WITHDRAWN: '已撤回',
  TRANSFERRED: '已转单',
};

export const LOAN_METHOD: Record<LoanMethod, string> = {
  ONE_OFF: '一次性放款',
  REVOLVING: '循环额度',
  INSTALLMENT: '分期放款',
};

// 机构类型: shared with the admin console's 金融机构入驻 (../lib/labels.ts).
export { INSTITUTION_KIND } from '../lib/labels';

export const COMPLAINT_STATUS: Record<ComplaintStatus, string> = {
  SUBMITTED: '待机构处理',
  HANDLED: '机构已处理',
  REVIEWED: '监管已复核',
};

export const COMPLAINT_TAG: Record<ComplaintStatus, TagType> = {
  SUBMITTED: 'warning',
  HANDLED: 'primary',
  REVIEWED: 'success',
};

/** "4.500" → "4.50%". */
export function percent(value: string | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Number(value).toFixed(2)}%`;
}

/** Compact amounts for tight rows: 10000000 → "1000万", 12345.6 → "1.23万", 800 → "800元". */
export function shortMoney(value: string): string {
  const n = Number(value);
  if (Math.abs(n) < 10_000) return `${n}元`;
  return `${Number((n / 10_000).toFixed(2))}万`;
}
