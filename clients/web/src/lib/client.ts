// The urql client of one page (queries and mutations over HTTP) and its graphql-ws client
// (subscriptions over one WebSocket), both carrying the page's session token.
import { authExchange } from '@urql/exchange-auth';
import { Client, cacheExchange, fetchExchange } from '@urql/vue';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import type { Auth } from './auth';
import { gatewayUrl, gatewayWsUrl } from './config';

export function createApiClient(auth: Auth): Client {
  return new Client({
    url: gatewayUrl(),
    // Lists change under the user's eyes (grabs, reminders): ask the network, show the cache meanwhile.
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      // @urql/exchange-auth: refreshes before a request when the token is about to expire and
      // retries once after an UNAUTHENTICATED answer, so a page never loses its state to expiry.
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const token = auth.state.session?.accessToken;
          return token ? utils.appendHeaders(operation, { authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError: () => auth.expiresSoon(),
        didAuthError: (error) => error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'),
        async refreshAuth() {
          await auth.refresh();
        },
      })),
      fetchExchange,
    ],
  });
}

/** Pings every PING_MS; a socket whose pong does not come within PONG_WAIT_MS is dropped. */
const PING_MS = 10_000;
const PONG_WAIT_MS = 5_000;

export function createStreamClient(auth: Auth): WsClient {
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  const client: WsClient = createWsClient({
    url: gatewayWsUrl(),
    lazy: true,
    // No retries of its own: graphql-ws would resubscribe with the first variables, that is with a
    // stale `after`. `resumable` (stream.ts) resubscribes each stream from its last event instead.
    retryAttempts: 0,
    keepAlive: PING_MS,
    connectionParams: async () => ({ authorization: `Bearer ${(await auth.token()) ?? ''}` }),
    on: {
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => client.terminate(), PONG_WAIT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => clearTimeout(pongTimer),
    },
  });
  // Back online: drop the old socket at once rather than wait for the ping to find it dead.
  window.addEventListener('online', () => client.terminate());
  return client;
}
