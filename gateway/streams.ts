// Live streams at the gateway, for WebSocket clients.
//  - when a subgraph ends a subscription because the subscriber's token expired or its session
//    was revoked or its role edited (an UNAUTHENTICATED error with extensions.reason TOKEN_EXPIRED /
//    SESSION_REVOKED / ROLE_CHANGED,
//    see resolvers/common/events.py), the client's WebSocket is closed with graphql-transport-ws
//    close code 4403 Forbidden, after the error went out. 4403, not 4401: graphql-ws clients
//    retry on 4403 and read connectionParams again, so a client whose connectionParams hands out
//    a refreshed token reconnects by itself (and resumes with `after`); 4401 is final there.
//    SSE clients get the error and the end of the stream.
// A client that stops reading (a phone gone into a tunnel) needs nothing here: the kernel's send
// buffer takes the first megabytes, and graphql-ws's keep-alive (a ping every 12 s) drops a client
// whose pong does not come back (tests/faults/test_faults.py measures it).
// Also here: queries and mutations over graphql-ws (useWebSocketOperations), and graphql-sse's
// single connection mode refused with a code (useRefuseSseSingleConnection).
import { getOperationAST, type DocumentNode } from 'graphql';

export const FORBIDDEN = 4403;
const ENDING_REASONS = new Set(['TOKEN_EXPIRED', 'SESSION_REVOKED', 'ROLE_CHANGED']);

type Socket = { close(code: number, reason: string): void };
type Result = { errors?: readonly { extensions?: { code?: unknown; reason?: unknown } }[] };

function endingReason(result: Result): string | undefined {
  for (const error of result?.errors ?? []) {
    const reason = error.extensions?.reason;
    if (error.extensions?.code === 'UNAUTHENTICATED' && typeof reason === 'string' && ENDING_REASONS.has(reason)) {
      return reason;
    }
  }
  return undefined;
}

export function useStreamAuthEnd() {
  return {
    onSubscribe({ args }: any) {
      const socket = (args.contextValue as { socket?: Socket }).socket;
      if (!socket) return undefined;
      return {
        onSubscribeResult() {
          return {
            onNext({ result }: { result: Result }) {
              const reason = endingReason(result);
              // On the next turn: the error message is queued on the socket before the close frame.
              if (reason) setTimeout(() => socket.close(FORBIDDEN, `Forbidden: ${reason}`), 0);
            },
          };
        },
      };
    },
  };
}

// -- queries and mutations over graphql-ws ---------------------------------------------------------
// A graphql-ws operation arrives in a `subscribe` message on an open socket. Hive Gateway's
// WebSocket server still puts the socket's upgrade request (a GET) in `context.request`, so Yoga's
// usePreventMutationViaGET refused every mutation over graphql-ws with 405 "Can only perform a
// mutation operation from a POST request" (the cause of graphql-ws #480 and graphql-yoga #1704).
// For an operation that came over a socket (`context.socket`, set only by the WebSocket server),
// later plugins see that request as what carried the operation: a message body, i.e. a POST.
// Only the method differs; headers, URL and signal are the upgrade request's. A mutation over
// HTTP GET is still refused (tests/e2e/test_ws_operations.py).
type OperationContext = { socket?: unknown; request?: Request; params?: { operationName?: string | null } };

function carriedByMessage(request: Request): Request {
  return new Proxy(request, {
    get(target, property) {
      if (property === 'method') return 'POST';
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function useWebSocketOperations() {
  return {
    onParse() {
      return ({ result, context, extendContext }: { result: unknown; context: OperationContext; extendContext(extension: object): void }) => {
        if (!context.socket || !context.request || context.request.method !== 'GET') return;
        if (!result || result instanceof Error) return;
        const operation = getOperationAST(result as DocumentNode, context.params?.operationName ?? undefined);
        if (operation?.operation === 'mutation') extendContext({ request: carriedByMessage(context.request) });
      };
    },
  };
}

// -- graphql-sse's single connection mode: refused, with a code ------------------------------------
// The gateway speaks graphql-sse's distinct connections mode only (one POST with
// `accept: text/event-stream` per subscription, the graphql-sse client's default). Single
// connection mode (PUT to reserve a stream token, operations POSTed with
// `x-graphql-event-stream-token`, events read from a GET with that token) used to get Yoga's bare
// "GraphQL only supports GET and POST requests" for the PUT, and a POST carrying the token was
// executed as a plain request, its result answered where the client expects 202 and an event.
// Now each of the three gets an error that names the mode and what to use instead.
const STREAM_TOKEN_HEADER = 'x-graphql-event-stream-token';
const SINGLE_CONNECTION_REFUSED =
  '不支持 graphql-sse 单连接模式，请使用独立连接模式或 WebSocket (graphql-sse single connection mode is not ' +
  'supported: use distinct connections mode, createClient({ singleConnection: false }), or graphql-ws)';

function singleConnectionRequest(request: Request, url: URL): boolean {
  if (request.method === 'PUT') return true;
  if (request.headers.has(STREAM_TOKEN_HEADER)) return true;
  return request.method === 'GET' && url.searchParams.has('token') && !url.searchParams.has('query');
}

export function useRefuseSseSingleConnection(graphqlEndpoint = '/graphql') {
  return {
    onRequest({ request, url, endResponse, fetchAPI }: any) {
      const path: string = url.pathname;
      if (path !== graphqlEndpoint && !path.startsWith(`${graphqlEndpoint}/`)) return;
      if (!singleConnectionRequest(request, url)) return;
      const error = {
        message: SINGLE_CONNECTION_REFUSED,
        extensions: { code: 'BAD_USER_INPUT', reason: 'SSE_SINGLE_CONNECTION_UNSUPPORTED' },
      };
      const method = request.method === 'PUT';
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [error] }), {
          status: method ? 405 : 400,
          headers: { 'content-type': 'application/json; charset=utf-8', ...(method ? { allow: 'GET, POST' } : {}) },
        }),
      );
    },
  };
}

// -- memory, on request ------------------------------------------------------------------------------
// `kill -USR2 <gateway pid>` writes one line to stderr (var/log/gateway.log): the process's memory,
// after a full garbage collection when node runs with --expose-gc (NODE_OPTIONS=--expose-gc). It
// tells memory the gateway still holds (heap used) from memory V8 or the allocator keep for reuse
// (RSS above it): loadtest/bench_stream.py asks for it once a step's subscribers have left.
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const usage = process.memoryUsage();
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  process.stderr.write(
    `${new Date().toISOString()} INFO memory pid=${process.pid} gc=${gc ? 'full' : 'none'} rss_mib=${mib(usage.rss)} ` +
      `heap_used_mib=${mib(usage.heapUsed)} heap_total_mib=${mib(usage.heapTotal)} ` +
      `external_mib=${mib(usage.external)} array_buffers_mib=${mib(usage.arrayBuffers)}\n`,
  );
});
