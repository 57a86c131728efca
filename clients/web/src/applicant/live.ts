// The applicant's live order steps (myOrders through `resumable`) and the timeline built from them.
import { ref, watch } from 'vue';
import { useRouter } from 'vue-router';
import { useAuth, useStreams } from '../lib/app';
import { resumable } from '../lib/stream';
import type { ApplicantHandlingFragment, ApplicantOrdersSubscription, MyOrderEventKind } from '../gql/graphql';
import { money } from '../lib/format';
import { EVENT_KIND, percent } from './labels';
import { MyOrders } from './operations';

export type OrderEvent = ApplicantOrdersSubscription['myOrders'];

/** Every step of my orders as it happens. `resync` runs each time the stream (re)connects and
 * when missed steps can no longer be replayed: a stream that had not delivered an event yet
 * resubscribes without a cursor, so steps during an outage (or before the first connection)
 * come only from reloading the page's data. */
export function useOrderStream(onEvent: (event: OrderEvent) => void, resync: () => void) {
  const stream = resumable(useStreams(), MyOrders, () => ({}), {
    eventId: (data) => data.myOrders.eventId,
    onEvent: (data) => onEvent(data.myOrders),
    onReset: resync,
  });
  watch(stream.status, (now, before) => {
    if (now === 'live' && before !== 'live') resync();
  });
  return stream;
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

/** One step of an order: from the loaded order or a live event. */
export interface Step {
  key: string;
  kind: MyOrderEventKind;
  handling: ApplicantHandlingFragment | null;
  at: string | null;
  /** VIEWED from the loaded order: how many institutions had looked by then. */
  viewed?: number;
}

type Handlings = readonly ApplicantHandlingFragment[];

export function step(kind: MyOrderEventKind, handling: ApplicantHandlingFragment | null | undefined, at: string | null, key?: string): Step {
  return { key: key ?? `${kind}:${handling?.id ?? ''}`, kind, handling: handling ?? null, at };
}

/** A live event as a step. The handling an event carries may be older than the step (the
 * stream's loaders cache per subscription), so the words come from the reloaded order. */
export function eventStep(event: OrderEvent): Step {
  return step(event.kind, event.handling, event.occurredAt, event.kind === 'VIEWED' ? `VIEWED:${event.eventId}` : undefined);
}

/** The timeline entry of a step, described with the order's current handlings. */
export function describe(s: Step, current: Handlings, order: 'need' | 'application' = 'need'): TimelineEntry {
  const handling = (s.handling && current.find((h) => h.id === s.handling?.id)) ?? s.handling;
  return { ...stepEntry(s.kind, handling, s.at, s.viewed, order), key: s.key };
}

/** The entry of one step: the same words whether it came from the loaded order or live. */
export function stepEntry(
  kind: MyOrderEventKind,
  handling: ApplicantHandlingFragment | null | undefined,
  at: string | null,
  viewed = 0,
  order: 'need' | 'application' = 'need',
): TimelineEntry {
  const who = handling?.institution?.name ?? '机构';
  const key = `${kind}:${handling?.id ?? ''}`;
  const offer = handling?.offer;
  switch (kind) {
    case 'SUBMITTED':
      return order === 'need'
        ? { key, title: '需求已提交', detail: '已推送给符合条件的金融机构', at }
        : { key, title: '申请已提交', detail: '已送达产品所属机构', at };
    case 'VIEWED':
      return { key, title: '被机构查看', detail: viewed ? `已有 ${viewed} 家机构查看了您的需求` : '有机构查看了您的需求', at };
    case 'GRABBED':
      return { key, title: `已被抢单：${who}`, detail: '客户经理将尽快与您电话联系', at };
    case 'PRE_REVIEWED':
      return { key, title: `${who} 电话初审通过`, detail: order === 'need' ? '等待机构给出预授信方案' : '等待机构授信审批', at };
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
export function snapshotSteps(createdAt: string, status: string, handlings: Handlings, viewed = 0): Step[] {
  const steps: Step[] = [step('SUBMITTED', null, createdAt)];
  if (viewed) steps.push({ ...step('VIEWED', null, null, 'VIEWED:loaded'), viewed });
  for (const h of handlings) {
    if (h.grabbedAt) steps.push(step('GRABBED', h, h.grabbedAt));
    if (h.preReviewedAt) steps.push(step(h.preReviewPassed ? 'PRE_REVIEWED' : 'REJECTED', h, h.preReviewedAt));
    if (h.offer) steps.push(step('OFFERED', h, null));
    if (h.offer?.status === 'ACCEPTED') steps.push(step('SELECTED', h, null));
    if (h.creditedAt) steps.push(step('CREDITED', h, h.creditedAt));
    if (h.disbursedAt) steps.push(step('DISBURSED', h, h.disbursedAt));
    if (h.status === 'REJECTED' && !h.preReviewedAt) steps.push(step('REJECTED', h, null));
    if (h.status === 'TRANSFERRED') steps.push(step('TRANSFERRED', h, null));
  }
  if (status === 'WITHDRAWN') steps.push(step('WITHDRAWN', null, null));
  if (status === 'CREDIT_FAILED') {
    // The failed credit is that of the institution whose offer was picked.
    steps.push(step('CREDIT_FAILED', handlings.find((h) => h.offer?.status === 'ACCEPTED'), null));
  }
  // Steps without their own time sort after the dated step before them (stable sort).
  let last = createdAt;
  const dated = steps.map((s) => {
    last = s.at ?? last;
    return { s, t: Date.parse(last) };
  });
  return dated.sort((a, b) => a.t - b.t).map(({ s }) => s);
}

/** The timeline of one order: the steps it had when loaded, then each live step once. */
export function useTimeline(order: 'need' | 'application') {
  const loaded = ref<Step[] | null>(null);
  const live = ref<Step[]>([]);
  function entries(current: Handlings): TimelineEntry[] {
    const base = loaded.value ?? [];
    const known = new Set(base.map((s) => s.key));
    return [...base, ...live.value.filter((s) => !known.has(s.key))].map((s) => describe(s, current, order));
  }
  let replace = false;
  return {
    entries,
    /** The loaded order's steps: once, or again after `resync`. */
    load(steps: Step[]): void {
      if (loaded.value !== null && !replace) return;
      loaded.value = steps;
      if (replace) live.value = [];
      replace = false;
    },
    add(event: OrderEvent): void {
      const s = eventStep(event);
      if (!live.value.some((x) => x.key === s.key)) live.value = [...live.value, s];
    },
    /** The next load replaces what the timeline shows (after a reconnect: steps may be missing). */
    resync(): void {
      replace = loaded.value !== null;
    },
  };
}
