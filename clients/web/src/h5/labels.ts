// Chinese labels of the API's enums shown by the H5 pages (the API names stay English).
import type {
  ConsentPurpose,
  ContactChannel,
  CustomerKind,
  CustomerTier,
  ExternalSource,
  FollowUpChannel,
  HoldingCategory,
  KeyEventKind,
  NeedStatus,
  OpportunityStatus,
  OwnershipChangeKind,
  PersonRole,
  RelationKind,
  ReminderKind,
  TierChangeStatus,
} from '../gql/graphql';

export const TIERS: CustomerTier[] = ['ORDINARY', 'POTENTIAL', 'GROWTH', 'WEALTH', 'PRIVATE'];

export const tierLabel: Record<CustomerTier, string> = {
  ORDINARY: '普通客户',
  POTENTIAL: '潜力客户',
  GROWTH: '成长客户',
  WEALTH: '财富客户',
  PRIVATE: '私行客户',
};

/** Tag colours per tier (Vant tag `color`), the higher the warmer. */
export const tierColor: Record<CustomerTier, string> = {
  ORDINARY: '#969799',
  POTENTIAL: '#1989fa',
  GROWTH: '#07c160',
  WEALTH: '#ff976a',
  PRIVATE: '#b8860b',
};

export const kindLabel: Record<CustomerKind, string> = { RETAIL: '零售客户', CORPORATE: '对公客户' };

export const CHANNELS: ContactChannel[] = ['PHONE', 'VISIT', 'WECHAT', 'SMS'];

export const channelLabel: Record<ContactChannel, string> = {
  PHONE: '电话',
  VISIT: '走访',
  WECHAT: '微信',
  SMS: '短信',
};

export const reminderKindLabel: Record<ReminderKind, string> = {
  LARGE_TRANSACTION: '大额动账',
  DEPOSIT_MATURITY: '存款到期',
  LOAN_MATURITY: '贷款到期',
  ASSET_CHANGE: '资产变动',
  APPOINTMENT: '预约',
  PROSPECT_CONTACT: '潜客跟进',
  SCHEDULE: '日程',
};

export const holdingLabel: Record<HoldingCategory, string> = {
  DEPOSIT: '存款',
  WEALTH: '理财',
  FUND: '基金',
  INSURANCE: '保险',
  LOAN: '贷款',
  CARD: '银行卡',
  OTHER: '其他',
};

export const keyEventLabel: Record<KeyEventKind, string> = {
  FIRST_ACCOUNT: '首次开户',
  TIER_UP: '等级提升',
  TIER_DOWN: '等级下降',
  BUSINESS: '业务办理',
  OWNERSHIP: '管户变更',
};

export const relationLabel: Record<RelationKind, string> = {
  FAMILY: '家庭',
  SOCIAL: '社会',
  FUND_TRANSFER: '资金往来',
  ENTERPRISE: '企业关联',
};

export const personRoleLabel: Record<PersonRole, string> = {
  ACTUAL_CONTROLLER: '实际控制人',
  LEGAL_REPRESENTATIVE: '法定代表人',
  EXECUTIVE: '高管',
};

export const externalLabel: Record<ExternalSource, string> = {
  UTILITY: '水电气缴费',
  RATING: '外部评级',
  SUPPLY_CHAIN: '供应链',
};

export const ownershipLabel: Record<OwnershipChangeKind, string> = {
  ALLOCATE: '分配',
  RETURN_TO_ORG: '退回机构',
  HAND_OVER: '移交',
  TRANSFER: '调动',
  CUSTODY_START: '托管开始',
  CUSTODY_END: '托管结束',
  ASSIST_ADD: '新增协办',
  ASSIST_REMOVE: '取消协办',
};

export const tierStatusLabel: Record<TierChangeStatus, string> = {
  PENDING: '待审批',
  APPROVED: '已通过',
  REJECTED: '已驳回',
  WITHDRAWN: '已撤回',
};

export const consentLabel: Record<ConsentPurpose, string> = {
  RECOMMENDATION: '产品推荐',
  CREDIT_REPORT: '征信查询',
  DATA_USE: '数据使用',
};

export const opportunityLabel: Record<OpportunityStatus, string> = {
  OPEN: '待认领',
  CLAIMED: '跟进中',
  CONVERTED: '已转化',
  CLOSED: '已关闭',
};

export const needStatusLabel: Record<NeedStatus, string> = {
  OPEN: '待受理',
  HANDLING: '受理中',
  SELECTED: '已选定',
  CREDITED: '已授信',
  DISBURSED: '已放款',
  CREDIT_FAILED: '授信失败',
  WITHDRAWN: '已撤回',
  REPUBLISHED: '已重新发布',
};

export const FOLLOW_UP_CHANNELS: FollowUpChannel[] = ['PHONE', 'SMS', 'WECHAT', 'VISIT'];

export const followUpLabel: Record<FollowUpChannel, string> = channelLabel; // the same four channels

/** 商机来源 (Opportunity.source): scans, system rules, models, recorded by hand. */
export function opportunitySourceLabel(source: string): string {
  return { QR_SCAN: '扫码', qrcode: '扫码', RULE: '系统规则', rule: '系统规则', MODEL: '模型', model: '模型' }[source] ?? '手工登记';
}
