// The regulator's live alert feed (督办预警, 催单, 贷后预警): finance's supervision events reach
// the regulator as operations alerts on the institution's org (docs/finance.md "SLA supervision").
// One feed per signed-in console, created by the layout and shared with the views (provide/inject):
// the first page of the `alerts` query (newest first, as the API lists them; 加载更多 reads on),
// then each new one from the `alerts` stream on top, resumed with `after` after a disconnect
// (lib/stream.ts); after a reconnection the first page is read again and merged by id.
import { useClientHandle } from '@urql/vue';
import { computed, inject, onScopeDispose, provide, ref, watch, type InjectionKey, type Ref } from 'vue';
import { graphql } from '../gql';
import type { RegulatorAlertFragment } from '../gql/graphql';
import { useStreams } from '../lib/app';
import { errorMessage } from '../lib/errors';
import { resumable, type StreamStatus } from '../lib/stream';
import { ALERT_SOURCE } from './labels';
import { PAGE_SIZE, pageOf, pagedList, type PageResult, type PagedList } from './pages';

graphql(`
  fragment RegulatorAlert on Alert {
    id
    level
    status
    title
    detail
    source
    createdAt
    org {
      id
      name
    }
  }
`);

const RecentAlerts = graphql(`
  query RegulatorRecentAlerts($first: Int!, $after: String) {
    alerts(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...RegulatorAlert
        }
      }
    }
  }
`);

const AlertStream = graphql(`
  subscription RegulatorAlertStream($after: ID) {
    alerts(after: $after) {
      eventId
      alert {
        ...RegulatorAlert
      }
    }
  }
`);

export interface LiveAlert extends RegulatorAlertFragment {
  /** Arrived on the stream while the console was open (highlighted). */
  fresh: boolean;
}

export interface AlertFeed {
  alerts: Ref<LiveAlert[]>;
  status: Readonly<Ref<StreamStatus>>;
  loading: Ref<boolean>;
  error: Readonly<Ref<string>>;
  /** Older alerts to read with 加载更多. */
  hasMore: Readonly<Ref<boolean>>;
  loadingMore: Ref<boolean>;
  more: () => Promise<void>;
  /** Alerts received live since the console opened (the menu's badge). */
  unseen: Ref<number>;
  /** Bumped when a supervision warning may have come (a new one, or a reconnection): the
   * warning list reloads on it. */
  revision: Ref<number>;
  reload: (markNew?: boolean) => Promise<void>;
}

const FEED: InjectionKey<AlertFeed> = Symbol('alert-feed');

const concerns = (alert: RegulatorAlertFragment): boolean => alert.source in ALERT_SOURCE;

export function provideAlertFeed(): AlertFeed {
  const client = useClientHandle().client;
  const unseen = ref(0);
  const revision = ref(0);
  // Ids of the alerts highlighted as new: those that came on the stream, and those a reload after
  // a reconnection found that the console had not shown (they came while it was offline).
  const freshIds = new Set<string>();
  let marking = false;

  const list: PagedList<LiveAlert> = pagedList<LiveAlert>(async (after): Promise<PageResult<LiveAlert>> => {
    const markNew = marking && after === null;
    const shown = new Set(list.rows.value.map((a) => a.id));
    const result = await client
      .query(RecentAlerts, { first: PAGE_SIZE, after }, { requestPolicy: 'network-only' })
      .toPromise();
    const page = pageOf(result.data?.alerts, result.error);
    // Operations' other alerts (not supervision's) are left out: a page may show fewer than 50.
    const nodes = page.nodes.filter(concerns).map((a) => {
      if (markNew && !shown.has(a.id)) freshIds.add(a.id);
      return { ...a, fresh: freshIds.has(a.id) };
    });
    return { ...page, nodes };
  });
  const alerts = list.rows;

  /** Read the first page again and merge it by id with what is shown (the older pages stay);
   * `markNew`: those not shown yet came while the console was offline. */
  async function reload(markNew = false): Promise<void> {
    marking = markNew;
    await list.reload(true);
    marking = false;
    if (markNew) revision.value++;
  }

  const stream = resumable(useStreams(), AlertStream, () => ({}), {
    eventId: (data) => data.alerts.eventId,
    onEvent(data) {
      const alert = data.alerts.alert;
      if (!concerns(alert)) return;
      freshIds.add(alert.id);
      alerts.value = [{ ...alert, fresh: true }, ...alerts.value.filter((a) => a.id !== alert.id)];
      unseen.value++;
      if (alert.source === 'supervision') revision.value++;
    },
    onReset: () => void reload(),
  });

  // The browser knows at once when the network goes (the socket's keep-alive takes ~15 s): the
  // console says so at once, and reads the list again as soon as the network is back.
  const online = ref(navigator.onLine);
  const wentOffline = (): void => void (online.value = false);
  const cameBack = (): void => {
    online.value = true;
    void reload(true);
  };
  window.addEventListener('offline', wentOffline);
  window.addEventListener('online', cameBack);
  onScopeDispose(() => {
    window.removeEventListener('offline', wentOffline);
    window.removeEventListener('online', cameBack);
  });
  const status = computed<StreamStatus>(() => (online.value ? stream.status.value : 'offline'));

  // A stream that had received nothing yet has no cursor to resume from: it resubscribes from now.
  // So after any reconnection the list is read again, and what came meanwhile shows as new.
  let dropped = false;
  watch(stream.status, (now) => {
    if (now === 'offline') dropped = true;
    else if (now === 'live' && dropped) {
      dropped = false;
      void reload(true);
    }
  });

  void reload();
  const feed: AlertFeed = {
    alerts,
    status,
    loading: list.loading,
    error: computed(() => errorMessage(list.error.value)),
    hasMore: list.hasMore,
    loadingMore: list.loadingMore,
    more: list.more,
    unseen,
    revision,
    reload,
  };
  provide(FEED, feed);
  return feed;
}

export function useAlertFeed(): AlertFeed {
  return inject(FEED)!;
}
