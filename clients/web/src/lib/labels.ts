// The finance marketplace's words for its enums, the same on every page: the applicant and the
// regulator must call one complaint kind by one name. They follow the models' comments
// (models/finance/*.py). Labels whose wording depends on who reads them (a handling's status as
// the applicant or the institution sees it) stay in each client's labels.ts.
import type { ComplaintKind, GuaranteeMethod, InstitutionKind, OrderKind, ReviewVerdict } from '../gql/graphql';

export const GUARANTEE: Record<GuaranteeMethod, string> = { CREDIT: '信用', MORTGAGE: '抵押', GUARANTEE: '担保' };

export const ORDER_KIND: Record<OrderKind, string> = { NEED: '融资需求', APPLICATION: '产品申请' };

export const COMPLAINT_KIND: Record<ComplaintKind, string> = {
  SLOW_HANDLING: '办理超时',
  SERVICE_ATTITUDE: '服务态度',
  FEES: '违规收费',
  MISLEADING: '虚假宣传',
  OTHER: '其他',
};

export const VERDICT: Record<ReviewVerdict, string> = { UPHELD: '投诉成立', DISMISSED: '投诉不成立' };

export const INSTITUTION_KIND: Record<InstitutionKind, string> = {
  BANK: '银行',
  GUARANTEE: '担保公司',
  MICRO_LOAN: '小额贷款',
  LEASING: '融资租赁',
  FACTORING: '商业保理',
  TRUST: '信托',
  INSURANCE: '保险',
  SECURITIES: '证券',
  FUND: '基金',
  FUTURES: '期货',
  CONSUMER_FINANCE: '消费金融',
  AUTO_FINANCE: '汽车金融',
  PAWN: '典当',
  ASSET_MANAGEMENT: '资产管理',
  FINANCE_COMPANY: '财务公司',
  OTHER: '其他机构',
};
