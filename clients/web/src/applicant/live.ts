// The applicant's live order steps (myOrders through `resumable`) and the timeline built from them.
import { useRouter } from 'vue-router';
import { useAuth, useStreams } from '../lib/app';
import { resumable } from '../lib/stream';
import type { ApplicantHandlingFragment, ApplicantOrdersSubscription, MyOrderEventKind } from '../gql/graphql';
import { money } from '../lib/format';
import { EVENT_KIND, percent } from './labels';
import { MyOrders } from './operations';

export type OrderEvent = ApplicantOrdersSubscription['myOrders'];

/** Every step of my orders as it happens; `onReset` when missed steps can no longer be replayed. */
export function useOrderStream(onEvent: (event: OrderEvent) => void, onReset?: () => void) {
  return resumable(useStreams(), MyOrders, () => ({}), {
    eventId: (data) => data.myOrders.eventId,
    onEvent: (data) => onEvent(data.myOrders),
    onReset,
  });
}

/** Logout, then a fresh page: nothing of this user's data stays in memory for the next one. */
export function useLogout(): () => Promise<void> {
  const auth = useAuth();
  const router = useRouter();
  return async () => {
    await auth.logout();
    await router.replace('/');
    window.location.reload();
  };
}

export interface TimelineEntry {
  /** One entry per step and handling: a snapshot and a live event of the same step merge. */
  key: string;
  title: string;
  detail: string;
  at: string | null;
  failed?: boolean;
}

/** The entry of one step: the same words whether it came from the loaded order or live. */
export function stepEntry(
  kind: MyOrderEventKind,
  handling: ApplicantHandlingFragment | null | undefined,
  at: string | null,
  viewed = 0,
): TimelineEntry {
  const who = handling?.institution?.name ?? '机构';
  const key = `${kind}:${kind === 'VIEWED' ? viewed : (handling?.id ?? '')}`;
  const offer = handling?.offer;
  switch (kind) {
    case 'SUBMITTED':
      return { key, title: '需求已提交', detail: '已推送给符合条件的金融机构', at };
    case 'VIEWED':
      return { key, title: '被机构查看', detail: viewed ? `已有 ${viewed} 家机构查看了您的需求` : '有机构查看了您的需求', at };
    case 'GRABBED':
      return { key, title: `已被抢单：${who}`, detail: '客户经理将尽快与您电话联系', at };
    case 'PRE_REVIEWED':
      return { key, title: `${who} 电话初审通过`, detail: '等待机构给出预授信方案', at };
    case 'OFFERED':
      return {
        key,
        title: `${who} 给出预授信`,
        detail: offer ? `额度 ${money(offer.amount)} · 年化 ${percent(offer.rate)} · ${offer.termMonths} 个月` : '请查看方案并选择',
        at,
      };
    case 'SELECTED':
      return { key, title: `已选择 ${who} 的方案`, detail: '机构将进行授信审批', at };
    case 'CREDITED':
      return {
        key,
        title: `${who} 已授信`,
        detail: handling?.creditAmount ? `授信 ${money(handling.creditAmount)} · 年化 ${percent(handling.creditRate)}` : '',
        at,
      };
    case 'CREDIT_FAILED':
      return { key, title: `${who} 授信未通过`, detail: handling?.rejectReason ?? '', at, failed: true };
    case 'DISBURSED':
      return { key, title: `${who} 已放款`, detail: handling?.disbursedAmount ? `放款 ${money(handling.disbursedAmount)}` : '', at };
    case 'REJECTED':
      return { key, title: `${who} 审核未通过`, detail: handling?.rejectReason ?? '', at, failed: true };
    case 'WITHDRAWN':
      return { key, title: '已撤回', detail: '订单已撤回，机构不再受理', at, failed: true };
    case 'TRANSFERRED':
      return { key, title: `${who} 的受理已转交其他机构`, detail: '监管部门已转单，新机构将继续为您服务', at };
    default:
      return { key, title: EVENT_KIND[kind as MyOrderEventKind], detail: '', at };
  }
}

/** The steps a loaded order has already been through, oldest first. */
export function snapshotEntries(
  createdAt: string,
  status: string,
  handlings: readonly ApplicantHandlingFragment[],
  viewed = 0,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [stepEntry('SUBMITTED', null, createdAt)];
  if (viewed) entries.push(stepEntry('VIEWED', null, null, viewed));
  for (const h of handlings) {
    if (h.grabbedAt) entries.push(stepEntry('GRABBED', h, h.grabbedAt));
    if (h.preReviewedAt) entries.push(stepEntry(h.preReviewPassed ? 'PRE_REVIEWED' : 'REJECTED', h, h.preReviewedAt));
    if (h.offer) entries.push(stepEntry('OFFERED', h, null));
    if (h.offer?.status === 'ACCEPTED') entries.push(stepEntry('SELECTED', h, null));
    if (h.creditedAt) entries.push(stepEntry('CREDITED', h, h.creditedAt));
    if (h.disbursedAt) entries.push(stepEntry('DISBURSED', h, h.disbursedAt));
    if (h.status === 'REJECTED' && !h.preReviewedAt) entries.push(stepEntry('REJECTED', h, null));
    if (h.status === 'TRANSFERRED') entries.push(stepEntry('TRANSFERRED', h, null));
  }
  if (status === 'WITHDRAWN') entries.push(stepEntry('WITHDRAWN', null, null));
  // Steps without their own time sort after the dated step before them (stable sort).
  let last = createdAt;
  const dated = entries.map((e) => {
    last = e.at ?? last;
    return { e, t: Date.parse(last) };
  });
  return dated.sort((a, b) => a.t - b.t).map(({ e }) => e);
}
