// The live grab pool (抢单池): orders keyed by id, from the first page of a snapshot (the
// `grabPool` query, plus the orders assigned to my institution that wait for a grab: applications
// and needs transferred in), more pages on scrolling, kept current by the `grabPool` stream.
// Both lists come newest first (creation time, then id), so a page is a range of that order.
//
// "No order missed or shown twice":
// - the list is a Map keyed by order id, so an order is shown once whatever tells us about it;
// - a removal event leaves a tombstone: a snapshot read before the removal (it may arrive after
//   the event) cannot bring the order back;
// - after every reconnect (the stream is live again, or its cursor expired) the first page is read
//   again and merged: an order it lacks is dropped if it lies within the range that page covers
//   (newer than or as new as its last order, or anywhere when there is no next page) and no event
//   added it after the page was asked for. An order beyond that range (a page loaded by
//   scrolling) is not missing: the stream's replay after a reconnect tells its removal.
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
  /** Every page of both lists is loaded. */
  finished: Ref<boolean>;
  /** The last 加载更多 failed. */
  moreFailed: Ref<boolean>;
  /** Read the next page of each list that has more (on scrolling to the end). */
  loadMore(): Promise<void>;
  /** Orders removed while the page was open (grabbed here or elsewhere): their ids. */
  isGone(id: string): boolean;
  /** Remove an order at once (a grab answered: won, or lost). */
  remove(id: string): void;
  reload(): Promise<void>;
}

const POOL: InjectionKey<Pool> = Symbol('grab-pool');
const PAGE = 100; // the API's largest page: a pool is read a page at a time, more on scrolling

/** Where a list is in the newest-first order: (creation time, id). */
type Key = readonly [createdAt: string, id: string];
type Source = 'pool' | 'assigned';

/** How far a list is read: the cursor after its last loaded page, and whether there is more. */
interface Progress {
  after: string | null;
  /** The last loaded order's key (null before the first page). */
  last: Key | null;
  more: boolean;
}

interface Page {
  orders: { order: PoolOrder; key: Key }[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export function providePool(): Pool {
  const client = useClientHandle().client;
  const entries = reactive(new Map<string, PoolOrder>());
  /** id → which list it belongs to and its key there (null: known from an event, key unknown). */
  const placed = new Map<string, { source: Source; key: Key | null }>();
  /** id → when it was added by an event (ms): a snapshot asked for before that does not drop it. */
  const addedAt = new Map<string, number>();
  const tombstones = new Set<string>();
  const progress: Record<Source, Progress> = {
    pool: { after: null, last: null, more: true },
    assigned: { after: null, last: null, more: true },
  };
  const loading = ref(true);
  const error = ref('');
  const finished = ref(false);
  const moreFailed = ref(false);
  let generation = 0;
  let loadingMore = false;

  function add(order: PoolOrder): void {
    if (tombstones.has(order.id)) return;
    entries.set(order.id, order);
  }

  function remove(id: string): void {
    tombstones.add(id);
    entries.delete(id);
    addedAt.delete(id);
    placed.delete(id);
  }

  /** One page of the grab pool's needs, or of the assigned orders. */
  async function readPage(source: Source, after: string | null): Promise<Page | string> {
    const vars = { first: PAGE, after };
    if (source === 'pool') {
      const result = await client.query(PoolPage, vars, { requestPolicy: 'network-only' }).toPromise();
      if (result.error || !result.data) return errorMessage(result.error) || '加载失败';
      const { nodes, pageInfo } = result.data.grabPool;
      return {
        orders: nodes.map((need) => ({ order: { kind: 'NEED', id: need.id, need }, key: [need.createdAt, need.id] })),
        endCursor: pageInfo.endCursor ?? null,
        hasNextPage: pageInfo.hasNextPage,
      };
    }
    const result = await client.query(AssignedPage, vars, { requestPolicy: 'network-only' }).toPromise();
    if (result.error || !result.data) return errorMessage(result.error) || '加载失败';
    const { nodes, pageInfo } = result.data.handlings;
    const orders: Page['orders'] = [];
    for (const handling of nodes) {
      const key: Key = [handling.createdAt, handling.id]; // the list is ordered by the handling
      if (handling.application) {
        const { application } = handling;
        orders.push({ order: { kind: 'APPLICATION', id: application.id, application }, key });
      } else if (handling.need) {
        // Transferred to my institution (转单): mine to grab whatever the need's other places.
        orders.push({ order: { kind: 'NEED', id: handling.need.id, need: handling.need }, key });
      }
    }
    return { orders, endCursor: pageInfo.endCursor ?? null, hasNextPage: pageInfo.hasNextPage };
  }

  function place(source: Source, page: Page): void {
    for (const { order, key } of page.orders) {
      if (tombstones.has(order.id)) continue;
      placed.set(order.id, { source, key });
      add(order);
    }
  }

  /** Read the first page of both lists again and merge it (see the top of this file). */
  async function reload(): Promise<void> {
    const mine = ++generation;
    const askedAt = Date.now();
    const pages = await Promise.all([readPage('pool', null), readPage('assigned', null)]);
    if (mine !== generation) return; // a newer reload is on its way
    const failed = pages.find((p): p is string => typeof p === 'string');
    if (failed !== undefined) {
      error.value = failed;
      loading.value = false;
      return;
    }
    const [poolPage, assignedPage] = pages as [Page, Page];
    error.value = '';
    const first: Record<Source, Page> = { pool: poolPage, assigned: assignedPage };
    const found = new Set([...poolPage.orders, ...assignedPage.orders].map((o) => o.order.id));
    const covered = (id: string): boolean => {
      const where = placed.get(id);
      if (!where) return true; // placed by neither list: only a page can tell, and it lacks it
      const page = first[where.source];
      if (!page.hasNextPage) return true;
      const last = page.orders.at(-1)?.key;
      return where.key !== null && last !== undefined && compareKeys(where.key, last) >= 0;
    };
    for (const id of [...entries.keys()]) {
      if (!found.has(id) && (addedAt.get(id) ?? 0) < askedAt && covered(id)) {
        entries.delete(id);
        placed.delete(id);
      }
    }
    for (const source of ['pool', 'assigned'] as const) {
      const page = first[source];
      place(source, page);
      const last = page.orders.at(-1)?.key ?? null;
      const now = progress[source];
      // Pages loaded further down stay loaded: go on after them, not after this first page.
      const further = page.hasNextPage && now.last !== null && last !== null && compareKeys(now.last, last) < 0;
      if (!further) progress[source] = { after: page.endCursor, last, more: page.hasNextPage };
    }
    finished.value = !progress.pool.more && !progress.assigned.more;
    loading.value = false;
  }

  async function loadMore(): Promise<void> {
    if (loadingMore || loading.value) return;
    loadingMore = true;
    moreFailed.value = false;
    for (const source of ['pool', 'assigned'] as const) {
      const from = progress[source];
      if (!from.more) continue;
      const page = await readPage(source, from.after);
      if (typeof page === 'string') {
        moreFailed.value = true;
        break;
      }
      if (progress[source] !== from) continue; // a reload moved this list meanwhile
      place(source, page);
      progress[source] = { after: page.endCursor, last: page.orders.at(-1)?.key ?? from.last, more: page.hasNextPage };
    }
    finished.value = !progress.pool.more && !progress.assigned.more;
    loadingMore = false;
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
      placed.set(
        order.id,
        order.kind === 'NEED' && event.kind === 'NEW'
          ? { source: 'pool', key: [order.need.createdAt, order.id] }
          : { source: 'assigned', key: null }, // the handling's key is not in the event
      );
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

  // Two lists (and the stream's new orders) in one: newest first, as each of them comes.
  const orders = computed(() =>
    [...entries.values()].sort((a, b) => compareKeys([createdAt(b), b.id], [createdAt(a), a.id])),
  );

  const pool: Pool = {
    orders,
    status: stream.status,
    loading,
    error,
    finished,
    moreFailed,
    loadMore,
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

/** Microseconds since the epoch of an ISO time (Date.parse stops at milliseconds; the API's
 * times, like its cursors, go to the microsecond). */
function micros(iso: string): number {
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return Date.parse(iso) * 1000 + Number(fraction.padEnd(6, '0').slice(3, 6));
}

/** The API's newest-first order compared: negative when `a` comes after (is older than) `b`. */
function compareKeys(a: Key, b: Key): number {
  const byTime = micros(a[0]) - micros(b[0]);
  if (byTime !== 0) return byTime;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export function usePool(): Pool {
  return inject(POOL)!;
}
