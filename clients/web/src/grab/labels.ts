// Chinese labels of the API's enums, and the steps of a handling as the grab client shows them.
import type { HandlingStatus, OfferStatus, OrderKind, RiskKind } from '../gql/graphql';

export { GUARANTEE, ORDER_KIND } from '../lib/labels';

export const HANDLING_STATUS: Record<HandlingStatus, string> = {
  ASSIGNED: '待抢单',
  GRABBED: '待初审',
  PRE_REVIEWED: '已初审',
  OFFERED: '已预授信',
  SELECTED: '客户已选定',
  CREDITED: '已授信',
  DISBURSED: '已放款',
  REJECTED: '已拒绝',
  NOT_SELECTED: '未被选定',
  TRANSFERRED: '已转单',
  WITHDRAWN: '客户已撤回',
};

/** Van-tag type per status: green for done, orange for waiting on me, grey for ended. */
export function statusTag(status: HandlingStatus): 'success' | 'warning' | 'primary' | 'default' | 'danger' {
  if (status === 'DISBURSED') return 'success';
  if (status === 'REJECTED') return 'danger';
  if (status === 'NOT_SELECTED' || status === 'TRANSFERRED' || status === 'WITHDRAWN') return 'default';
  if (status === 'OFFERED') return 'primary';
  return 'warning';
}

export const FINAL: readonly HandlingStatus[] = ['DISBURSED', 'REJECTED', 'NOT_SELECTED', 'TRANSFERRED', 'WITHDRAWN'];

/** The steps of a handling: 初审, 预授信 (needs only), 授信, 放款. */
export function stepsOf(kind: OrderKind): string[] {
  return kind === 'NEED' ? ['初审', '预授信', '授信', '放款'] : ['初审', '授信', '放款'];
}

/** The step the handling is at (index into stepsOf); steps.length when finished. */
export function activeStep(kind: OrderKind, status: HandlingStatus): number {
  const need = kind === 'NEED';
  switch (status) {
    case 'ASSIGNED':
    case 'GRABBED':
      return 0;
    case 'PRE_REVIEWED':
      return need ? 1 : 1;
    case 'OFFERED':
      return 1; // waiting for the applicant to pick an offer
    case 'SELECTED':
      return 2;
    case 'CREDITED':
      return need ? 3 : 2;
    case 'DISBURSED':
      return need ? 4 : 3;
    default:
      return 0;
  }
}

/** What the account manager does next, or null when it is not theirs to do (or over). */
export type NextAction = 'preReview' | 'makeOffer' | 'credit' | 'disburse' | 'waitSelection';

export function nextAction(kind: OrderKind, status: HandlingStatus): NextAction | null {
  switch (status) {
    case 'GRABBED':
      return 'preReview';
    case 'PRE_REVIEWED':
      return kind === 'NEED' ? 'makeOffer' : 'credit';
    case 'OFFERED':
      return 'waitSelection';
    case 'SELECTED':
      return 'credit';
    case 'CREDITED':
      return 'disburse';
    default:
      return null;
  }
}

export const OFFER_STATUS: Record<OfferStatus, string> = { OFFERED: '待客户选择', ACCEPTED: '客户已选定', NOT_ACCEPTED: '未被选定' };

export const RISK_KIND: Record<RiskKind, string> = { DUPLICATE_FINANCING: '重复融资提示', POST_LOAN: '贷后风险预警' };
