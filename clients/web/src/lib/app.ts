// Starting one client page: its session, its urql and graphql-ws clients, its router.
import urql from '@urql/vue';
import type { Client as WsClient } from 'graphql-ws';
import { createApp, inject, type Component, type InjectionKey } from 'vue';
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { createAuth, type Auth } from './auth';
import { createApiClient, createStreamClient } from './client';

const AUTH: InjectionKey<Auth> = Symbol('auth');
const STREAMS: InjectionKey<WsClient> = Symbol('streams');

export function startApp(name: string, root: Component, routes: RouteRecordRaw[]): void {
  const auth = createAuth(name);
  const app = createApp(root);
  app.use(urql, createApiClient(auth));
  app.provide(AUTH, auth);
  app.provide(STREAMS, createStreamClient(auth));
  // Hash history: the pages are static files, served by any static server.
  app.use(createRouter({ history: createWebHashHistory(), routes }));
  app.mount('#app');
}

export function useAuth(): Auth {
  return inject(AUTH)!;
}

export function useStreams(): WsClient {
  return inject(STREAMS)!;
}
