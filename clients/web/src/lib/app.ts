// Starting one client page: its session, its urql and graphql-ws clients, its router.
import urql from '@urql/vue';
import type { Client as WsClient } from 'graphql-ws';
import { createApp, inject, type Component, type InjectionKey } from 'vue';
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { createAuth, type Auth } from './auth';
import { createApiClient, createStreamClient } from './client';
import type { ClientKind } from '../gql/graphql';
import { reportPageViews } from './pageViews';

const AUTH: InjectionKey<Auth> = Symbol('auth');
const STREAMS: InjectionKey<WsClient> = Symbol('streams');

/** `kind`: PC (the desktop consoles) or APP (the H5 pages), as the page views report it. */
export function startApp(name: string, root: Component, routes: RouteRecordRaw[], kind: ClientKind): void {
  const auth = createAuth(name);
  const app = createApp(root);
  const api = createApiClient(auth);
  app.use(urql, api);
  app.provide(AUTH, auth);
  app.provide(STREAMS, createStreamClient(auth));
  // Hash history: the pages are static files, served by any static server.
  const router = createRouter({ history: createWebHashHistory(), routes });
  reportPageViews(router, api, auth, kind);
  app.use(router);
  app.mount('#app');
}

export function useAuth(): Auth {
  return inject(AUTH)!;
}

export function useStreams(): WsClient {
  return inject(STREAMS)!;
}
