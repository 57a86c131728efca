// Chinese labels of the schemes' and work orders' enums (营销方案, 营销工单) shown by the H5 pages.
import type {
  MarketingSchemeKind,
  MarketingSchemeStatus,
  SchemeIndicatorKind,
  WorkOrderChannel,
  WorkOrderResult,
  WorkOrderStatus,
} from '../gql/graphql';

export const schemeKindLabel: Record<MarketingSchemeKind, string> = { PRECISION: '精准营销', MASS: '大众营销' };

export const schemeStatusLabel: Record<MarketingSchemeStatus, string> = {
  DRAFT: '草稿',
  PENDING: '待审核',
  APPROVED: '已通过',
  REJECTED: '已驳回',
  RUNNING: '执行中',
  CLOSED: '已结束',
};

export const indicatorLabel: Record<SchemeIndicatorKind, string> = {
  CONTACTS: '接触客户数',
  CONVERSIONS: '成功转化数',
  AMOUNT: '营销金额',
};

export const ORDER_STATUSES: WorkOrderStatus[] = ['PENDING', 'IN_PROGRESS', 'DONE', 'FAILED', 'CLOSED'];

export const orderStatusLabel: Record<WorkOrderStatus, string> = {
  PENDING: '待处理',
  IN_PROGRESS: '处理中',
  DONE: '已完成',
  FAILED: '未成功',
  CLOSED: '已关闭',
};

export const orderStatusType: Record<WorkOrderStatus, 'primary' | 'warning' | 'success' | 'danger' | 'default'> = {
  PENDING: 'warning',
  IN_PROGRESS: 'primary',
  DONE: 'success',
  FAILED: 'danger',
  CLOSED: 'default',
};

export const ORDER_CHANNELS: WorkOrderChannel[] = ['PHONE', 'VISIT', 'WECHAT', 'SMS', 'MOBILE_BANKING', 'APP', 'ONLINE_BANKING'];

export const orderChannelLabel: Record<WorkOrderChannel, string> = {
  PHONE: '电话',
  VISIT: '上门走访',
  WECHAT: '微信',
  SMS: '短信',
  MOBILE_BANKING: '手机银行',
  APP: '客户App',
  ONLINE_BANKING: '网上银行',
};

export const RESULTS: WorkOrderResult[] = ['CONTACTED', 'INTERESTED', 'CONVERTED', 'REFUSED'];

export const resultLabel: Record<WorkOrderResult, string> = {
  CONTACTED: '已接触',
  INTERESTED: '有意向',
  CONVERTED: '已转化',
  REFUSED: '拒绝',
};

/** 0.4567 → "45.7%". */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** An indicator's figure: amounts in 元 / 万元, counts as integers. */
export function figure(kind: SchemeIndicatorKind, value: string, money: (v: string) => string): string {
  return kind === 'AMOUNT' ? money(value) : String(Math.round(Number(value)));
}
