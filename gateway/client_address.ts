// The caller's address the gateway reports to the subgraphs (`x-dcms-client-ip`, signed), which
// login lockout and the anonymous rate limit count by.
//
// Directly reached, it is the socket's peer. Behind a load balancer (docs/deploy.md) the peer is
// the balancer: when the peer is one of DCMS_TRUSTED_PROXIES (comma-separated addresses, e.g.
// `127.0.0.1` for the HAProxy of `dcms replicas up`), the address is the last entry of the
// HTTP request's `X-Forwarded-For` (the one the balancer appended; entries before it are the
// client's own claims). The header is read from the HTTP request (or the WebSocket upgrade),
// never from a WebSocket client's connectionParams.

type Request = {
  socket?: { remoteAddress?: string };
  headers?: Record<string, string | string[] | undefined>;
};

const plain = (address: string) => address.trim().replace(/^::ffff:/, '');

const trusted = new Set(
  (process.env.DCMS_TRUSTED_PROXIES ?? '')
    .split(',')
    .map(plain)
    .filter(Boolean),
);

export function clientAddress(req: Request | undefined): string | undefined {
  const peer = req?.socket?.remoteAddress;
  if (peer === undefined || !trusted.has(plain(peer))) return peer;
  const header = req?.headers?.['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded.at(-1) ?? peer;
}
