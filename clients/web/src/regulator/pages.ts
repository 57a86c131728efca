// The console's long lists (alerts, supervision warnings, complaints) come newest first from the
// API (by creation time, then id; the cursor holds both): a list reads its first page and the
// next ones on 加载更多, never every page, and never sorts on the client.
import type { CombinedError } from '@urql/core';
import { computed, ref, type Ref } from 'vue';
import { errorMessage } from '../lib/errors';
import { failed } from './notify';

/** Rows per page: a screen or two of the desktop console. */
export const PAGE_SIZE = 50;

export interface PageResult<T> {
  nodes: T[];
  endCursor: string | null;
  hasNextPage: boolean;
  error?: CombinedError;
}

/** A connection as the API returns it, flattened for `pagedList`. */
export function pageOf<T>(
  list: { edges: { node: T }[]; pageInfo: { endCursor?: string | null; hasNextPage: boolean } } | undefined,
  error: CombinedError | undefined,
): PageResult<T> {
  return {
    nodes: list?.edges.map((e) => e.node) ?? [],
    endCursor: list?.pageInfo.endCursor ?? null,
    hasNextPage: list?.pageInfo.hasNextPage ?? false,
    error,
  };
}

export interface PagedList<T> {
  rows: Ref<T[]>;
  /** Reading the first page (the list shows a spinner while it has no rows). */
  loading: Ref<boolean>;
  /** Reading the next page (the 加载更多 button spins). */
  loadingMore: Ref<boolean>;
  error: Ref<CombinedError | undefined>;
  hasMore: Readonly<Ref<boolean>>;
  /** Read the first page again. `keep`: keep the older rows loaded with 加载更多 after it (merged by
   * id, the new first page winning); otherwise the list is the first page alone. */
  reload: (keep?: boolean) => Promise<void>;
  /** Read the next page and append what is not shown yet. */
  more: () => Promise<void>;
}

export function pagedList<T extends { id: string }>(
  read: (after: string | null) => Promise<PageResult<T>>,
): PagedList<T> {
  const rows: Ref<T[]> = ref([]);
  const loading = ref(true);
  const loadingMore = ref(false);
  const error = ref<CombinedError | undefined>();
  const cursor = ref<string | null>(null);
  const next = ref(false);
  // A reload started after this read (a filter changed, a newer reload): this one's answer is stale.
  let generation = 0;

  async function reload(keep = false): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    const before = new Set(rows.value.map((r) => r.id));
    const page = await read(null);
    if (mine !== generation) return;
    loading.value = false;
    loadingMore.value = false;
    error.value = page.error;
    if (page.error) return;
    const first = new Set(page.nodes.map((n) => n.id));
    // Rows put on top while the page was read (a live alert) are newer than it: they stay on top.
    const arrived = rows.value.filter((r) => !before.has(r.id) && !first.has(r.id));
    const older = keep ? rows.value.filter((r) => before.has(r.id) && !first.has(r.id)) : [];
    rows.value = [...arrived, ...page.nodes, ...older];
    // With older pages kept, their cursor still reads on after them.
    if (!(keep && older.length && next.value)) {
      cursor.value = page.endCursor;
      next.value = page.hasNextPage;
    }
  }

  async function more(): Promise<void> {
    if (loadingMore.value || !next.value) return;
    const mine = generation;
    loadingMore.value = true;
    const page = await read(cursor.value);
    if (mine !== generation) return;
    loadingMore.value = false;
    // The rows shown stay: a failed 加载更多 says why and can be clicked again.
    if (page.error) return failed(errorMessage(page.error));
    const shown = new Set(rows.value.map((r) => r.id));
    rows.value = [...rows.value, ...page.nodes.filter((n) => !shown.has(n.id))];
    cursor.value = page.endCursor;
    next.value = page.hasNextPage;
  }

  return { rows, loading, loadingMore, error, hasMore: computed(() => next.value), reload, more };
}
