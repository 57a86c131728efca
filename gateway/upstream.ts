// Upstream subscriptions that never resume silently.
//
// The stock WebSocket transport (graphql-ws) reconnects to a subgraph that went away (a restart,
// a crash) and subscribes again with the *original* variables: a subscriber would carry on from
// "now" and never learn that the events of the gap are missing. Here, when an upstream socket
// closes abnormally its client is disposed instead, and every subscription it carried ends with
// a STREAM_INTERRUPTED error; the client resubscribes with `after` (its last eventId) and the
// subgraph replays the gap (realtime/feed.py). tests/test_faults.py restarts the subgraphs.
import { createGraphQLError, isAsyncIterable } from '@graphql-tools/utils';
import { getInterpolatedHeadersFactory, getInterpolatedStringFactory } from '@graphql-mesh/string-interpolation';
import { dispose, isDisposable, makeAsyncDisposable } from '@graphql-mesh/utils';
import { buildGraphQLWSExecutor } from '@graphql-tools/executor-graphql-ws';
import { withWsProof } from './signing.ts';

type Result = { errors?: readonly unknown[] };
type Executor = (request: unknown) => unknown;
type Client = { on(event: 'closed', listener: (event: { code?: number }) => void): void; dispose(): unknown };

export const STREAM_INTERRUPTED = 'STREAM_INTERRUPTED';

async function* interruptible(stream: AsyncIterable<Result>): AsyncGenerator<Result> {
  let endedWithError = false;
  for await (const result of stream) {
    endedWithError = Boolean(result?.errors?.length);
    yield result;
  }
  // Subgraph streams never complete by themselves: an end without an error is a broken upstream.
  // (When the client unsubscribes, this generator is returned from and this line never runs.)
  if (!endedWithError) {
    const error = createGraphQLError('实时推送中断，请以最后收到的 eventId 作为 after 重新订阅 (stream interrupted)', {
      extensions: { code: STREAM_INTERRUPTED },
    });
    yield { errors: [error] };
  }
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

// Hive Gateway's `transports`: ours for `ws`, the stock module for every other kind.
export function transports(kind: string) {
  return kind === 'ws' ? { getSubgraphExecutor } : import(`@graphql-mesh/transport-${kind}`);
}
