// Upstream subscriptions that never resume silently.
//
// The stock WebSocket transport (graphql-ws) reconnects to a subgraph that went away (a restart,
// a crash) and subscribes again with the *original* variables: a subscriber would carry on from
// "now" and never learn that the events of the gap are missing. Here, when an upstream socket
// closes abnormally its client is disposed instead, and every subscription it carried ends with
// a STREAM_INTERRUPTED error; the client resubscribes with `after` (its last eventId) and the
// subgraph replays the gap (realtime/feed.py). tests/faults/test_faults.py restarts the subgraphs.
import { createGraphQLError, isAsyncIterable } from '@graphql-tools/utils';
import { getInterpolatedHeadersFactory, getInterpolatedStringFactory } from '@graphql-mesh/string-interpolation';
import { dispose, isDisposable, makeAsyncDisposable } from '@graphql-mesh/utils';
import { buildGraphQLWSExecutor } from '@graphql-tools/executor-graphql-ws';
import { withWsProof } from './signing.ts';

type Result = { errors?: readonly unknown[] };
type Executor = (request: unknown) => unknown;
type Client = { on(event: 'closed', listener: (event: { code?: number }) => void): void; dispose(): unknown };

export const STREAM_INTERRUPTED = 'STREAM_INTERRUPTED';

function interrupted(): Result {
  const error = createGraphQLError('实时推送中断，请以最后收到的 eventId 作为 after 重新订阅 (stream interrupted)', {
    extensions: { code: STREAM_INTERRUPTED },
  });
  return { errors: [error] };
}

// The upstream stream, with a STREAM_INTERRUPTED error in place of an end without an error
// (subgraph streams never complete by themselves: such an end is a broken upstream).
// Written by hand, not as an `async function*`: `return()` on an async generator suspended in
// `for await` waits for the pending `next()`, i.e. for the next upstream event, so a client's
// unsubscribe (graphql-ws `complete`, a closed socket, a dropped SSE stream) left the subscription
// open at the subgraph, counting against the user's cap, until an event came by. Here `return()`
// ends the upstream subscription at once and settles a pending `next()` as done.
function interruptible(stream: AsyncIterable<Result>): AsyncIterableIterator<Result> {
  const inner = stream[Symbol.asyncIterator]();
  const finished: IteratorReturnResult<undefined> = { value: undefined, done: true };
  let state: 'open' | 'interrupted' | 'closed' = 'open';
  let endedWithError = false;
  let settlePending: ((step: IteratorResult<Result>) => void) | undefined; // the waiting next()
  const isClosed = () => state === 'closed'; // a function: return() may close it during an await
  const close = async () => {
    const wasOpen = state === 'open';
    state = 'closed';
    settlePending?.(finished);
    if (wasOpen) await inner.return?.();
  };
  return {
    async next(): Promise<IteratorResult<Result>> {
      if (state === 'interrupted') {
        state = 'closed';
        return { value: interrupted(), done: false };
      }
      if (state === 'closed') return finished;
      let step: IteratorResult<Result>;
      try {
        // Not Promise.race with one promise of return(): each race would leave a reaction on it
        // for as long as the subscription lives.
        step = await new Promise<IteratorResult<Result>>((resolve, reject) => {
          settlePending = resolve;
          inner.next().then(resolve, reject);
        });
      } catch (error) {
        state = 'closed';
        throw error;
      } finally {
        settlePending = undefined;
      }
      if (isClosed()) return finished; // returned while waiting: the event is not delivered
      if (!step.done) {
        endedWithError = Boolean(step.value?.errors?.length);
        return step;
      }
      state = endedWithError ? 'closed' : 'interrupted';
      return this.next();
    },
    async return(): Promise<IteratorResult<Result>> {
      await close();
      return finished;
    },
    async throw(error: unknown): Promise<IteratorResult<Result>> {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

// @graphql-mesh/transport-ws's executor, except that connectionParams is a function: graphql-ws
// calls it on every (re)connect, so each upstream connection_init carries a fresh gateway proof
// (gateway/signing.ts; a subgraph refuses one older than 60 s or seen before). The stock transport
// passes the interpolated connectionParams as a fixed object. As there, one client per distinct
// (url, connectionParams, headers), so each token has its own upstream socket.
function wsExecutor(payload: any, onClient: (client: Client) => void): Executor {
  const { transportEntry, log: rootLog } = payload;
  const endpointFactory = getInterpolatedStringFactory(transportEntry.location);
  const paramsFactory = getInterpolatedHeadersFactory(transportEntry.options?.connectionParams ?? {});
  const headersFactory = transportEntry.headers
    ? getInterpolatedHeadersFactory(Object.fromEntries(transportEntry.headers))
    : undefined;
  const executors = new Map<string, Executor>();
  const merged = (request: any) => {
    const factoryContext = { env: process.env, root: request.rootValue, context: request.context, info: request.info };
    const url = endpointFactory(factoryContext).replace(/^http(s?):\/\//, 'ws$1://');
    const connectionParams = paramsFactory(factoryContext);
    const headers = headersFactory?.(factoryContext);
    const key = JSON.stringify({ url, connectionParams, headers });
    let executor = executors.get(key);
    if (!executor) {
      const log = rootLog.child({ executor: 'GraphQL WS', wsUrl: url });
      executor = buildGraphQLWSExecutor({
        headers,
        url,
        lazy: true,
        lazyCloseTimeout: 3e3,
        ...transportEntry.options,
        connectionParams: () => withWsProof(connectionParams),
        on: {
          closed(event: unknown) {
            log.debug({ event }, 'closed');
            executors.delete(key);
          },
        },
        onClient,
      } as any) as Executor;
      executors.set(key, executor);
    }
    return executor(request);
  };
  return makeAsyncDisposable(merged, () =>
    Promise.all([...executors.values()].map((executor) => isDisposable(executor) && dispose(executor))).then(() => {}),
  ) as Executor;
}

function getSubgraphExecutor(payload: any): Executor {
  const noSilentRetry = (client: Client) =>
    client.on('closed', (event) => {
      if (event?.code !== 1000) client.dispose(); // disposed: no reconnect, subscriptions complete
    });
  const executor = wsExecutor(payload, noSilentRetry);
  const wrapped = async (request: unknown) => {
    const result = await executor(request);
    return isAsyncIterable(result) ? interruptible(result as AsyncIterable<Result>) : result;
  };
  return Object.assign(wrapped, { [Symbol.asyncDispose]: (executor as any)[Symbol.asyncDispose] });
}

// An upstream socket closing while graphql-ws still awaits its connection (a subgraph restarting,
// or refusing a frame) rejects a promise nobody holds with the socket's CloseEvent, and node ends
// the process on an unhandled rejection: one subgraph socket took the gateway and every client's
// stream down with it (seen in the fan-out benchmark). Those rejections are logged; the
// subscriptions the socket carried end with STREAM_INTERRUPTED as above. Any other unhandled
// rejection still ends the process, as node's default does.
function isCloseEvent(reason: unknown): reason is { code?: number; reason?: string } {
  return typeof reason === 'object' && reason !== null && reason.constructor?.name === 'CloseEvent';
}

process.on('unhandledRejection', (reason) => {
  if (!isCloseEvent(reason)) throw reason;
  process.stderr.write(
    `${new Date().toISOString()} WARN upstream WebSocket closed while connecting code=${reason.code ?? '-'} ` +
      `reason=${JSON.stringify(reason.reason ?? '')}\n`,
  );
});

// Hive Gateway's `transports`: ours for `ws`, the stock module for every other kind.
export function transports(kind: string) {
  return kind === 'ws' ? { getSubgraphExecutor } : import(`@graphql-mesh/transport-${kind}`);
}
