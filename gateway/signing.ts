// The gateway's proof to the subgraphs (security/gateway_trust.py verifies it).
//
// HTTP: every upstream request to a subgraph (root operations and `_entities`) is signed as it
// leaves, over the exact bytes sent and the caller's identity:
//   x-dcms-signature: v1.<ts>.<nonce>.<sig>
//   sig = base64 HMAC-SHA256(DCMS_GATEWAY_HMAC_SECRET,
//                            "v1\n" + ts + "\n" + nonce + "\n" + authorization + "\n" + clientIp
//                            + "\n" + body)
// ts in epoch milliseconds, nonce a random UUID, authorization the upstream request's
// `authorization` header and clientIp its `x-dcms-client-ip` (the caller's address, which lockout
// and the anonymous rate limit count by; each empty when none), body the request body as sent
// (UTF-8). The subgraph
// HMACs the raw body it received: nothing is re-serialised on either side, and the query,
// variables, operationName and extensions are all covered, as is who the request is for. With the
// timestamp and one-time nonce, a subgraph refuses a signature older than 60 s or seen before.
//
// The signature is made in `onFetch`, by wrapping the fetch function: the options it signs are
// the ones handed to fetch after every onFetch hook (header propagation, the request id) ran.
//
// WebSocket: graphql-ws calls `connectionParams` on every (re)connect (gateway/upstream.ts), and
// connection_init carries connectionParams["x-dcms-gateway"] = {ts, nonce, sig}, sig over
// "ws-connect\n" + ts + "\n" + nonce + "\n" + authorization: outside dev mode a subgraph accepts
// a WebSocket only with it, so a user's token alone opens nothing there. The first line differs
// from the HTTP one, so neither signature passes for the other.
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SIGNATURE_HEADER = 'x-dcms-signature';
export const WS_PROOF = 'x-dcms-gateway';
const VERSION = 'v1';
const WS_PURPOSE = 'ws-connect';

const devMode = (process.env.DCMS_DEV ?? '1') === '1';
// The secret itself, else the file DCMS_GATEWAY_HMAC_SECRET_FILE names (a mounted secret), as
// subgraphs/settings.py reads it.
const hmacSecretFile = process.env.DCMS_GATEWAY_HMAC_SECRET_FILE?.trim();
export const hmacSecret =
  process.env.DCMS_GATEWAY_HMAC_SECRET || (hmacSecretFile ? readFileSync(hmacSecretFile, 'utf8').trim() : '');
if (!hmacSecret && !devMode)
  throw new Error('DCMS_GATEWAY_HMAC_SECRET or DCMS_GATEWAY_HMAC_SECRET_FILE must be set outside dev mode');

// Synchronous: no await between the request and its signature, and no CryptoKey to cache.
function hmac(...parts: Buffer[]): string {
  const mac = createHmac('sha256', hmacSecret);
  for (const part of parts) mac.update(part);
  return mac.digest('base64');
}

// The `x-dcms-signature` value for a request with this authorization header and body. Header
// values are byte strings (latin-1), the body goes out as UTF-8, as fetch sends a string body.
export function httpSignature(authorization: string | undefined, clientIp: string | undefined, body: string): string {
  const ts = Date.now();
  const nonce = randomUUID();
  const head = `${VERSION}\n${ts}\n${nonce}\n${authorization ?? ''}\n${clientIp ?? ''}\n`;
  return `${VERSION}.${ts}.${nonce}.${hmac(Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8'))}`;
}

// connectionParams of an upstream WebSocket with the gateway's proof added (none without a secret,
// in dev mode: the subgraphs there accept a WebSocket from anyone with a token).
export function withWsProof(params: Record<string, unknown>): Record<string, unknown> {
  if (!hmacSecret) return params;
  const authorization = typeof params.authorization === 'string' ? params.authorization : '';
  const ts = Date.now();
  const nonce = randomUUID();
  const sig = hmac(Buffer.from(`${WS_PURPOSE}\n${ts}\n${nonce}\n${authorization}`, 'utf8'));
  return { ...params, [WS_PROOF]: { ts, nonce, sig } };
}

type Headers = Record<string, string>;
type FetchOptions = { method?: string; body?: unknown; headers?: Headers };
type Fetch = (url: string, options?: FetchOptions, context?: unknown, info?: unknown) => unknown;
type OnFetchPayload = {
  fetchFn: Fetch;
  setFetchFn(fetchFn: Fetch): void;
  executionRequest?: unknown;
};

function header(headers: Headers | undefined, name: string): string | undefined {
  for (const key in headers ?? {}) if (key.toLowerCase() === name) return headers?.[key];
  return undefined;
}

export function useDcmsSigning() {
  return {
    onFetch({ fetchFn, setFetchFn, executionRequest }: OnFetchPayload) {
      // Only a subgraph execution (the HTTP transport's fetch; it has an execution request), not
      // anything else the gateway may fetch. A body that is no string is left unsigned: the
      // subgraph refuses it rather than trusting bytes nobody signed.
      if (!hmacSecret || !executionRequest) return;
      setFetchFn((url, options, context, info) => {
        if (options?.method?.toUpperCase() !== 'POST' || typeof options.body !== 'string') {
          return fetchFn(url, options, context, info);
        }
        const signature = httpSignature(
          header(options.headers, 'authorization'),
          header(options.headers, 'x-dcms-client-ip'),
          options.body,
        );
        const headers: Headers = { [SIGNATURE_HEADER]: signature };
        for (const key in options.headers ?? {}) {
          if (key.toLowerCase() !== SIGNATURE_HEADER) headers[key] = (options.headers as Headers)[key];
        }
        return fetchFn(url, { ...options, headers }, context, info);
      });
    },
  };
}
