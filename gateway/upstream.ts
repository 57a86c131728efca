// Upstream subscriptions that never resume silently.
//
// The stock WebSocket transport (graphql-ws) reconnects to a subgraph that went away (a restart,
// a crash) and subscribes again with the *original* variables: a subscriber would carry on from
// "now" and never learn that the events of the gap are missing. Here, when an upstream socket
// closes abnormally its client is disposed instead, and every subscription it carried ends with
// a STREAM_INTERRUPTED error; the client resubscribes with `after` (its last eventId) and the
// subgraph replays the gap (realtime/feed.py). tests/test_faults.py restarts the subgraphs.
import { createGraphQLError, isAsyncIterable } from '@graphql-tools/utils';
import wsTransport from '@graphql-mesh/transport-ws';

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

function getSubgraphExecutor(payload: any): Executor {
  const noSilentRetry = (client: Client) =>
    client.on('closed', (event) => {
      if (event?.code !== 1000) client.dispose(); // disposed: no reconnect, subscriptions complete
    });
  const executor = (wsTransport as any).getSubgraphExecutor(payload, noSilentRetry) as Executor;
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
