// Coded API errors as plain Chinese: the one table every page shows errors from.
// The API's own messages for domain rules are "中文 (English)"; the Chinese part is shown as is.
// Anything else (an English-only message, a network failure) falls back to the code's sentence.
import type { CombinedError } from '@urql/core';

export const ERROR_MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: '登录已失效，请重新登录',
  FORBIDDEN: '没有权限进行此操作',
  BAD_USER_INPUT: '输入有误，请检查后重试',
  NOT_FOUND: '记录不存在或无权查看',
  CONFLICT: '状态已变化，请刷新后重试',
  RATE_LIMITED: '操作过于频繁，请稍后再试',
  ACCOUNT_LOCKED: '登录失败次数过多，账号已暂时锁定，请稍后再试',
  PASSWORD_CHANGE_REQUIRED: '首次登录需修改密码',
  CONSENT_REQUIRED: '客户尚未授权，无法查看',
  SERVICE_UNAVAILABLE: '服务暂不可用，请稍后重试',
  OVERLOADED: '系统繁忙，请稍后重试',
  SLOW_CONSUMER: '推送积压，正在重新连接',
  CURSOR_EXPIRED: '推送已过期，正在重新加载',
  STREAM_INTERRUPTED: '推送中断，正在重新连接',
  GRAPHQL_PARSE_FAILED: '请求格式错误',
  GRAPHQL_VALIDATION_FAILED: '请求与接口不符，请刷新页面',
  INTERNAL_SERVER_ERROR: '系统内部错误，请稍后重试',
  NETWORK: '网络连接失败，请检查网络',
};

/** The first error's code: `NETWORK` when the request never got an answer. */
export function errorCode(error: CombinedError | null | undefined): string | null {
  if (!error) return null;
  if (error.networkError && !error.graphQLErrors.length) return 'NETWORK';
  const code = error.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** `extensions.reason` of the first error, when the API gives one. */
export function errorReason(error: CombinedError | null | undefined): string | null {
  const reason = error?.graphQLErrors[0]?.extensions?.reason;
  return typeof reason === 'string' ? reason : null;
}

const CJK = /[\u4e00-\u9fff]/;

/** What to show the user for an error: never raw English, never a stack. */
export function errorMessage(error: CombinedError | null | undefined): string {
  const code = errorCode(error);
  if (!code) return '';
  const message = error?.graphQLErrors[0]?.message ?? '';
  if (code !== 'INTERNAL_SERVER_ERROR' && CJK.test(message)) {
    return message.replace(/\s*\([^()]*[A-Za-z][^()]*\)\s*$/, '').trim();
  }
  return ERROR_MESSAGES[code] ?? ERROR_MESSAGES.INTERNAL_SERVER_ERROR;
}
