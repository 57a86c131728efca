// 操作日志 (日志管理): how long the user stays on each page, reported by the client in batches through
// recordPageViews (resolvers/operations/logs.py). A page is reported under its route's `meta.menu`,
// a menu code of the catalogue (security/functions.py MENUS), so 菜单及功能管理's usage counts are
// these rows; a route without one (a customer's detail, the login page) is not reported.
import type { Client } from '@urql/vue';
import type { Router } from 'vue-router';
import { graphql } from '../gql';
import type { ClientKind, PageViewInput } from '../gql/graphql';
import type { Auth } from './auth';

const RecordPageViews = graphql(`
  mutation RecordPageViews($views: [PageViewInput!]!) {
    recordPageViews(views: $views) {
      received
      stored
    }
  }
`);

const FLUSH_EVERY_MS = 30_000;
const MAX_BATCH = 100; // the mutation's limit
const MAX_SECONDS = 86_400;

declare module 'vue-router' {
  interface RouteMeta {
    menu?: string; // the catalogue's menu code this page is counted under
  }
}

export function reportPageViews(router: Router, api: Client, auth: Auth, client: ClientKind): void {
  let open: { menu: string; since: number } | null = null;
  let queue: PageViewInput[] = [];

  function close(): void {
    if (open && auth.state.session) {
      queue.push({
        viewId: crypto.randomUUID(), // resent after a failure, stored once
        menuCode: open.menu,
        client,
        enteredAt: new Date(open.since).toISOString(),
        seconds: Math.min(MAX_SECONDS, Math.round((Date.now() - open.since) / 1000)),
      });
    }
    open = null;
  }

  async function flush(): Promise<void> {
    if (!queue.length || !auth.state.session) return;
    const batch = queue.slice(0, MAX_BATCH);
    queue = queue.slice(batch.length);
    const result = await api.mutation(RecordPageViews, { views: batch }).toPromise();
    // Kept for the next flush when the network failed; a refused batch (bad input) is dropped.
    if (result.error?.networkError) queue = [...batch, ...queue].slice(-10 * MAX_BATCH);
  }

  router.afterEach((to) => {
    close();
    if (to.meta.menu) open = { menu: to.meta.menu, since: Date.now() };
  });
  // Leaving the tab or the app ends the visit; coming back starts a new one on the same page.
  let paused: string | null = null;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') {
      paused = open?.menu ?? null;
      close();
      void flush();
    } else if (paused) {
      open = { menu: paused, since: Date.now() };
      paused = null;
    }
  });
  setInterval(() => void flush(), FLUSH_EVERY_MS);
}
