// A subscription that survives lost networks, restarts and expired tokens: it resubscribes with
// `after` = the last event it handled, so the server replays what was missed (kept 24 h), and it
// hands each event to the page once (a replay may repeat the last one). Where nothing can be
// replayed, it asks the page to reload (`onReset`), then goes on live: on CURSOR_EXPIRED (the
// cursor is older than the replay window), and when it comes back before any event had
// arrived (no cursor yet, so the gap's events are not replayed).
import { stringifyDocument, type TypedDocumentNode } from '@urql/core';
import type { Client as WsClient, ExecutionResult } from 'graphql-ws';
import { onScopeDispose, ref, type Ref } from 'vue';

export type StreamStatus = 'connecting' | 'live' | 'offline';

export interface StreamHandlers<TData> {
  /** The event id of a payload (the `eventId` field of the stream's event). */
  eventId(data: TData): string;
  onEvent(data: TData): void;
  /** The page's data may have missed events that can no longer be replayed: reload it. */
  onReset?(): void;
}

const RETRY_MS = [500, 1_000, 2_000, 4_000, 8_000];
/** After the socket is up, time for the server to register the subscription before a reload:
 * the reload then sees everything before it and the stream everything after. */
const SETTLE_MS = 300;

// Whether each graphql-ws client's socket is up (shared by every stream of a page).
const socketUp = new WeakMap<WsClient, boolean>();

function track(client: WsClient): void {
  if (socketUp.has(client)) return;
  socketUp.set(client, false);
  client.on('connected', () => socketUp.set(client, true));
  client.on('closed', () => socketUp.set(client, false));
}

export function resumable<TData, TVars extends { after?: string | null }>(
  client: WsClient,
  document: TypedDocumentNode<TData, TVars>,
  variables: () => Omit<TVars, 'after'>,
  handlers: StreamHandlers<TData>,
): { status: Ref<StreamStatus>; stop: () => void } {
  const query = stringifyDocument(document);
  const status = ref<StreamStatus>('connecting');
  const seen = new Set<string>();
  let after: string | null = null;
  let unsubscribe: (() => void) | null = null;
  let stopped = false;
  let failures = 0;
  let started = false;
  let resetPending = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  track(client);

  function becameLive(): void {
    status.value = 'live';
    failures = 0;
    if (!resetPending) return;
    resetPending = false;
    setTimeout(() => stopped || handlers.onReset?.(), SETTLE_MS);
  }

  function retry(): void {
    status.value = 'offline';
    unsubscribe = null;
    if (stopped) return;
    retryTimer = setTimeout(start, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]);
  }

  function expired(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): void {
    // Resubscribing without a cursor then reloads the page's data once the stream is live.
    if (errors?.[0]?.extensions?.code === 'CURSOR_EXPIRED') after = null;
  }

  function start(): void {
    status.value = 'connecting';
    resetPending ||= started && after === null;
    started = true;
    unsubscribe = client.subscribe<TData>(
      { query, variables: { ...variables(), after } },
      {
        next(result: ExecutionResult<TData>) {
          if (!result.data) {
            expired(result.errors);
            return;
          }
          if (status.value !== 'live') becameLive();
          const id = handlers.eventId(result.data);
          if (seen.has(id)) return;
          seen.add(id);
          if (seen.size > 2_000) seen.delete(seen.values().next().value as string);
          after = id;
          handlers.onEvent(result.data);
        },
        // Errors end a subscription (SLOW_CONSUMER, STREAM_INTERRUPTED, a closed socket, 4403 on
        // an expired token — connectionParams then refreshes it): resume from the last event.
        error(error: unknown) {
          if (Array.isArray(error)) expired(error);
          retry();
        },
        complete: retry,
      },
    );
    if (socketUp.get(client)) becameLive(); // the subscribe message went out on the open socket
  }

  // Live is "connected and acknowledged"; no event may come for a while on a quiet stream.
  const offConnected = client.on('connected', () => {
    if (!stopped && unsubscribe) becameLive();
  });

  function stop(): void {
    stopped = true;
    offConnected();
    clearTimeout(retryTimer);
    unsubscribe?.();
  }

  start();
  onScopeDispose(stop);
  return { status, stop };
}
