// The wall's data, built to stay open for days: every list is bounded (the newest ALERTS_SHOWN
// alerts, one row per hall), every stream event only marks what changed, and the screen is
// updated from that at most once per RENDER_MS (panels read again at most once per REFETCH_MS).
// Nothing is kept per event: a burst of thousands of alerts costs no memory that stays.
import type { AnyVariables, Client, CombinedError, OperationResult, TypedDocumentNode } from '@urql/core';
import { useClientHandle } from '@urql/vue';
import { getCurrentScope, onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import type { WallAlertFragment } from '../gql/graphql';
import { useStreams } from '../lib/app';
import { errorCode, errorMessage } from '../lib/errors';
import { resumable, type StreamStatus } from '../lib/stream';
import { EMPTY } from './labels';
import { WallAlertStream, WallRecentAlerts } from './operations';

export const ALERTS_SHOWN = 50;
export const RENDER_MS = 1_000;
export const REFETCH_MS = 5_000;

/** Run `fn` at most once per `ms`, after the first request of each period (trailing). */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  onScopeDispose(() => clearTimeout(timer));
  return () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}

/** Call `fn` every `ms` while the screen is open. */
export function every(fn: () => void, ms: number): void {
  const timer = setInterval(fn, ms);
  onScopeDispose(() => clearInterval(timer));
}

export type PanelState = 'loading' | 'ready' | 'empty' | 'forbidden' | 'error';

export interface Panel<T> {
  data: ShallowRef<T | null>;
  state: Ref<PanelState>;
  /** What the panel says instead of its data (暂无权限, 暂无数据, an error). */
  note: Ref<string>;
  /** Read again (throttled: at most once per REFETCH_MS). */
  refresh: () => void;
  /** Resolves after the first answer: whether it brought data. */
  first: Promise<boolean>;
}

/** One panel's query: read now, every `pollMs`, and on `refresh()`; the last good data kept. */
export function panel<TData, TVars extends AnyVariables, T>(
  client: Client,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  pick: (data: TData) => T,
  isEmpty: (value: T) => boolean,
  pollMs: number,
): Panel<T> {
  const data = shallowRef<T | null>(null);
  const state = ref<PanelState>('loading');
  const note = ref<string>(EMPTY.loading);
  let running = false;
  let settle: (ok: boolean) => void = () => undefined;
  const first = new Promise<boolean>((resolve) => (settle = resolve));

  function show(error: CombinedError | undefined, value: T | null): void {
    if (value !== null) {
      data.value = value;
      state.value = isEmpty(value) ? 'empty' : 'ready';
      note.value = isEmpty(value) ? EMPTY.none : '';
      return;
    }
    if (data.value !== null) return; // a failed re-read keeps what is shown
    const code = errorCode(error);
    state.value = code === 'FORBIDDEN' ? 'forbidden' : 'error';
    note.value =
      state.value === 'forbidden' ? EMPTY.forbidden : errorMessage(error);
  }

  async function read(): Promise<void> {
    if (running) return;
    running = true;
    try {
      const result: OperationResult<TData, TVars> = await client
        .query(document, variables, { requestPolicy: 'network-only' })
        .toPromise();
      show(result.error, result.data ? pick(result.data) : null);
      settle(result.data !== undefined && result.data !== null);
    } finally {
      running = false;
    }
  }

  void read();
  every(() => void read(), pollMs);
  return { data, state, note, refresh: throttle(() => void read(), REFETCH_MS), first };
}

export interface LiveAlert extends WallAlertFragment {
  /** Arrived on the stream while the wall was open (highlighted). */
  fresh: boolean;
}

export interface AlertWall {
  alerts: ShallowRef<LiveAlert[] | null>;
  status: Ref<StreamStatus>;
  state: Ref<PanelState>;
  note: Ref<string>;
  /** Alerts received live since the wall opened (a number, not a list). */
  received: Ref<number>;
}

/** 实时告警: the newest ALERTS_SHOWN alerts routed to the viewer, the stream's on top. Events
 * wait in a map of at most ALERTS_SHOWN (newest win) and reach the screen once per RENDER_MS. */
export function useAlertWall(): AlertWall {
  const client = useClientHandle().client;
  const list = panel(
    client,
    WallRecentAlerts,
    { first: ALERTS_SHOWN },
    (data) => data.alerts.edges.map((e): LiveAlert => ({ ...e.node, fresh: false })),
    (alerts) => alerts.length === 0,
    5 * 60_000, // the stream keeps it current; a slow re-read heals anything missed
  );
  const received = ref(0);
  let waiting = new Map<string, LiveAlert>();

  const render = throttle(() => {
    const arrived = [...waiting.values()].reverse(); // newest first
    waiting = new Map();
    const ids = new Set(arrived.map((a) => a.id));
    const kept = (list.data.value ?? []).filter((a) => !ids.has(a.id));
    list.data.value = [...arrived, ...kept].slice(0, ALERTS_SHOWN);
    list.state.value = list.data.value.length ? 'ready' : list.state.value;
  }, RENDER_MS);

  const stream = resumable(useStreams(), WallAlertStream, () => ({ orgPath: null }), {
    eventId: (data) => data.alerts.eventId,
    onEvent(data) {
      const { alert, action } = data.alerts;
      received.value++;
      const shown = list.data.value?.find((a) => a.id === alert.id);
      if (action !== 'RAISED' && action !== 'REOPENED' && !shown) return; // a step of one not on screen
      waiting.delete(alert.id); // re-inserted: the newest last
      waiting.set(alert.id, { ...alert, fresh: true });
      if (waiting.size > ALERTS_SHOWN) waiting.delete(waiting.keys().next().value as string);
      render();
    },
    onReset: list.refresh,
  });
  return { alerts: list.data, status: stream.status, state: list.state, note: list.note, received };
}

/** A stream that only says "something changed": the panel reads again (throttled). Started only
 * once the panel's query worked (a field the gateway does not know yet has no stream either). */
export function refreshOn<TData, TVars extends { after?: string | null }>(
  target: Panel<unknown>,
  document: TypedDocumentNode<TData, TVars>,
  variables: () => Omit<TVars, 'after'>,
  eventId: (data: TData) => string,
  onEvent: (data: TData) => void = () => target.refresh(),
): void {
  const streams = useStreams();
  const scope = getCurrentScope(); // the stream stops with the screen (resumable's onScopeDispose)
  void target.first.then((ok) => {
    if (ok) scope?.run(() => resumable(streams, document, variables, { eventId, onEvent, onReset: target.refresh }));
  });
}
