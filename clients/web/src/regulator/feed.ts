// The regulator's live alert feed (督办预警, 催单, 贷后预警): finance's supervision events reach
// the regulator as operations alerts on the institution's org (docs/finance.md "SLA supervision").
// One feed per signed-in console, created by the layout and shared with the views (provide/inject):
// the alerts so far from the `alerts` query (every page, newest first), then each new one from the `alerts` stream, resumed
// with `after` after a disconnect (lib/stream.ts).
import { useClientHandle } from '@urql/vue';
import { computed, inject, onScopeDispose, provide, ref, watch, type InjectionKey, type Ref } from 'vue';
import { graphql } from '../gql';
import type { RegulatorAlertFragment } from '../gql/graphql';
import { useStreams } from '../lib/app';
import { errorMessage } from '../lib/errors';
import { resumable, type StreamStatus } from '../lib/stream';
import { ALERT_SOURCE } from './labels';
import { allPages } from './pages';

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
  query RegulatorRecentAlerts($after: String) {
    alerts(first: 100, after: $after) {
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
  error: Ref<string>;
  /** Alerts received live since the console opened (the menu's badge). */
  unseen: Ref<number>;
  /** Bumped when a supervision warning may have come (a new one, or a reconnection): the
   * warning list reloads on it. */
  revision: Ref<number>;
  reload: (markNew?: boolean) => Promise<void>;
}

const FEED: InjectionKey<AlertFeed> = Symbol('alert-feed');

const concerns = (alert: RegulatorAlertFragment): boolean => alert.source in ALERT_SOURCE;
const newestFirst = (a: RegulatorAlertFragment, b: RegulatorAlertFragment): number =>
  b.createdAt.localeCompare(a.createdAt);

export function provideAlertFeed(): AlertFeed {
  const client = useClientHandle().client;
  const alerts = ref<LiveAlert[]>([]);
  const loading = ref(true);
  const error = ref('');
  const unseen = ref(0);
  const revision = ref(0);

  /** Read the alerts again; `markNew`: those not shown yet came while the console was offline. */
  async function reload(markNew = false): Promise<void> {
    loading.value = true;
    const result = await allPages(async (after) => {
      const page = await client.query(RecentAlerts, { after }, { requestPolicy: 'network-only' }).toPromise();
      const alerts = page.data?.alerts;
      return {
        nodes: alerts?.edges.map((e) => e.node) ?? [],
        endCursor: alerts?.pageInfo.endCursor ?? null,
        hasNextPage: alerts?.pageInfo.hasNextPage ?? false,
        error: page.error,
      };
    });
    loading.value = false;
    error.value = errorMessage(result.error);
    if (result.error) return;
    const shown = new Set(alerts.value.map((a) => a.id));
    const live = alerts.value.filter((a) => a.fresh);
    const kept = new Set(live.map((a) => a.id));
    const recent = result.nodes
      .filter((a) => concerns(a) && !kept.has(a.id))
      .map((a) => ({ ...a, fresh: markNew && !shown.has(a.id) }));
    alerts.value = [...live, ...recent].sort(newestFirst);
    if (markNew) revision.value++;
  }

  const stream = resumable(useStreams(), AlertStream, () => ({}), {
    eventId: (data) => data.alerts.eventId,
    onEvent(data) {
      const alert = data.alerts.alert;
      if (!concerns(alert)) return;
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
  const feed: AlertFeed = { alerts, status, loading, error, unseen, revision, reload };
  provide(FEED, feed);
  return feed;
}

export function useAlertFeed(): AlertFeed {
  return inject(FEED)!;
}
