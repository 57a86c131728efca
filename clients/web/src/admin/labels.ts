// The platform's words for roles, org kinds and login outcomes (security/roles.py, models/operations).
import type { ClientKind, LoginOutcome, OrgKind } from '../gql/graphql';

export const ROLE: Record<string, string> = {
  PROVINCE_ADMIN: '省联社管理',
  HQ_ADMIN: '总行业务管理',
  HQ_REVIEWER: '总行业务审核',
  BRANCH_HEAD: '支行行长',
  CUSTOMER_MANAGER: '客户经理',
  FI_ACCOUNT_MANAGER: '金融机构客户经理',
  FI_ADMIN: '金融机构管理员',
  REGULATOR: '政府监管',
  OPERATOR: '运营',
  OPS_ENGINEER: '运维工程师',
  HALL_MANAGER: '营业厅管理',
  SECURITY_ADMIN: '安全管理员',
  AUDIT_ADMIN: '审计管理员',
  PLATFORM_ADMIN: '平台管理员',
  ENTERPRISE_USER: '企业用户',
  INDIVIDUAL: '个人用户',
  DEVICE: '终端',
};

export const ORG_KIND: Record<OrgKind, string> = {
  PROVINCE_UNION: '省联社',
  MEMBER_BANK: '成员行',
  VILLAGE_BANK: '村镇银行',
  BRANCH: '支行',
  OUTLET: '网点',
  INSTITUTION: '金融机构',
  REGULATOR: '监管机构',
  GRID_COMPANY: '电网公司',
  HALL: '营业厅',
};

export const OUTCOME: Record<LoginOutcome, string> = {
  SUCCESS: '登录成功',
  WRONG_CREDENTIALS: '用户名或密码错误',
  LOCKED_OUT: '账号锁定',
  PASSWORD_CHANGE_REQUIRED: '需修改密码',
  NEW_PASSWORD_REFUSED: '新密码不合规',
  LOGOUT: '退出登录',
};

export const CLIENT_KIND: Record<ClientKind, string> = { PC: '电脑端', APP: '移动端' };
