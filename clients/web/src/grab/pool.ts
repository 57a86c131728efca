// The live grab pool (抢单池): orders keyed by id, from a snapshot (the `grabPool` query, plus the
// orders assigned to my institution that wait for a grab: applications and needs transferred in)
// kept current by the `grabPool` stream.
//
// "No order missed or shown twice":
// - the list is a Map keyed by order id, so an order is shown once whatever tells us about it;
// - a removal event leaves a tombstone: a snapshot read before the removal (it may arrive after
//   the event) cannot bring the order back;
// - after every reconnect (the stream is live again, or its cursor expired) the snapshot is read
//   again and merged: orders it lacks are dropped unless an event added them after the snapshot
//   was asked for (the snapshot could not know them yet).
import { useClientHandle } from '@urql/vue';
import {
  computed,
  inject,
  onScopeDispose,
  provide,
  reactive,
  ref,
  watch,
  type ComputedRef,
  type InjectionKey,
  type Ref,
} from 'vue';
import type {
  GrabApplicationCardFragment,
  GrabNeedCardFragment,
  GrabPoolStreamSubscription,
} from '../gql/graphql';
import { useStreams } from '../lib/app';
import { errorMessage } from '../lib/errors';
import { resumable, type StreamStatus } from '../lib/stream';
import { AssignedPage, PoolPage, PoolStream } from './operations';

export type PoolOrder =
  | { kind: 'NEED'; id: string; need: GrabNeedCardFragment }
  | { kind: 'APPLICATION'; id: string; application: GrabApplicationCardFragment };

export interface Pool {
  orders: ComputedRef<PoolOrder[]>;
  status: Ref<StreamStatus>;
  /** The first snapshot is being read. */
  loading: Ref<boolean>;
  /** The last snapshot failed (Chinese). */
  error: Ref<string>;
  /** Orders removed while the page was open (grabbed here or elsewhere): their ids. */
  isGone(id: string): boolean;
  /** Remove an order at once (a grab answered: won, or lost). */
  remove(id: string): void;
  reload(): Promise<void>;
}

const POOL: InjectionKey<Pool> = Symbol('grab-pool');
const PAGE = 100; // the API's largest page
const MAX_PAGES = 5;

export function providePool(): Pool {
  const client = useClientHandle().client;
  const entries = reactive(new Map<string, PoolOrder>());
  /** id → when it was added by an event (ms): a snapshot asked for before that does not drop it. */
  const addedAt = new Map<string, number>();
  const tombstones = new Set<string>();
  const loading = ref(true);
  const error = ref('');
  let generation = 0;

  function add(order: PoolOrder): void {
    if (tombstones.has(order.id)) return;
    entries.set(order.id, order);
  }

  function remove(id: string): void {
    tombstones.add(id);
    entries.delete(id);
    addedAt.delete(id);
  }

  const pagePromise = (after: string | null) =>
    client.query(PoolPage, { first: PAGE, after }, { requestPolicy: 'network-only' }).toPromise();

  async function snapshot(): Promise<PoolOrder[] | null> {
    const found: PoolOrder[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result: Awaited<ReturnType<typeof pagePromise>> = await pagePromise(after);
      if (result.error || !result.data) {
        error.value = errorMessage(result.error) || '加载失败';
        return null;
      }
      for (const need of result.data.grabPool.nodes) found.push({ kind: 'NEED', id: need.id, need });
      if (!result.data.grabPool.pageInfo.hasNextPage) break;
      after = result.data.grabPool.pageInfo.endCursor ?? null;
    }
    const assigned = await client
      .query(AssignedPage, { first: PAGE, after: null }, { requestPolicy: 'network-only' })
      .toPromise();
    if (assigned.error || !assigned.data) {
      error.value = errorMessage(assigned.error) || '加载失败';
      return null;
    }
    for (const handling of assigned.data.handlings.nodes) {
      if (handling.application) {
        found.push({ kind: 'APPLICATION', id: handling.application.id, application: handling.application });
      } else if (handling.need) {
        // Transferred to my institution (转单): mine to grab whatever the need's other places.
        found.push({ kind: 'NEED', id: handling.need.id, need: handling.need });
      }
    }
    return found;
  }

  async function reload(): Promise<void> {
    const mine = ++generation;
    const askedAt = Date.now();
    const found = await snapshot();
    if (mine !== generation || found === null) {
      if (mine === generation) loading.value = false;
      return; // a newer reload is on its way, or this one failed (its error is shown)
    }
    error.value = '';
    const ids = new Set(found.map((o) => o.id));
    for (const id of [...entries.keys()]) {
      if (!ids.has(id) && (addedAt.get(id) ?? 0) < askedAt) entries.delete(id);
    }
    for (const order of found) add(order);
    loading.value = false;
  }

  function onEvent(data: GrabPoolStreamSubscription): void {
    const event = data.grabPool;
    const order: PoolOrder | null = event.need
      ? { kind: 'NEED', id: event.need.id, need: event.need }
      : event.application
        ? { kind: 'APPLICATION', id: event.application.id, application: event.application }
        : null;
    if (!order) return;
    if (event.removeFromPool) {
      remove(order.id);
    } else if (event.kind === 'NEW' || event.kind === 'TRANSFERRED') {
      // New to my pool (posted, or transferred in): a transfer may bring back an order that left.
      if (event.kind === 'TRANSFERRED') tombstones.delete(order.id);
      addedAt.set(order.id, Date.now());
      add(order);
    } else if (entries.has(order.id)) {
      entries.set(order.id, order); // still mine (e.g. another institution took a place): fresher counts
    }
  }

  const stream = resumable(useStreams(), PoolStream, () => ({}), {
    eventId: (data) => data.grabPool.eventId,
    onEvent,
    onReset: () => void reload(),
  });

  // Every time the stream is live again (first connect included), read the snapshot and merge.
  // 'live' is the socket's acknowledgement; the subscription reaches the server just after it, so
  // the snapshot is read a moment later: an event between the two is then in one or the other.
  let settle: ReturnType<typeof setTimeout> | undefined;
  watch(stream.status, (now, before) => {
    clearTimeout(settle);
    if (now === 'live' && before !== 'live') settle = setTimeout(() => void reload(), 300);
  });
  onScopeDispose(() => clearTimeout(settle));
  void reload();

  const orders = computed(() =>
    [...entries.values()].sort((a, b) => (createdAt(b) > createdAt(a) ? 1 : createdAt(b) < createdAt(a) ? -1 : 0)),
  );

  const pool: Pool = {
    orders,
    status: stream.status,
    loading,
    error,
    isGone: (id) => tombstones.has(id),
    remove,
    reload,
  };
  provide(POOL, pool);
  return pool;
}

function createdAt(order: PoolOrder): string {
  return order.kind === 'NEED' ? order.need.createdAt : order.application.createdAt;
}

export function usePool(): Pool {
  return inject(POOL)!;
}
