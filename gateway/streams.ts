// Live streams at the gateway, for WebSocket clients.
//  - when a subgraph ends a subscription because the subscriber's token expired or its session
//    was revoked (an UNAUTHENTICATED error with extensions.reason TOKEN_EXPIRED / SESSION_REVOKED,
//    see resolvers/common/events.py), the client's WebSocket is closed with graphql-transport-ws
//    close code 4403 Forbidden, after the error went out. 4403, not 4401: graphql-ws clients
//    retry on 4403 and read connectionParams again, so a client whose connectionParams hands out
//    a refreshed token reconnects by itself (and resumes with `after`); 4401 is final there.
//    SSE clients get the error and the end of the stream.
// A client that stops reading (a phone gone into a tunnel) needs nothing here: the kernel's send
// buffer takes the first megabytes, and graphql-ws's keep-alive (a ping every 12 s) drops a client
// whose pong does not come back (tests/test_faults.py measures it).
export const FORBIDDEN = 4403;
const ENDING_REASONS = new Set(['TOKEN_EXPIRED', 'SESSION_REVOKED']);

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
