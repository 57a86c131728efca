// The gateway's proof to the subgraphs (security/gateway_trust.py verifies it).
//
// HTTP: every upstream execution request (root operations and `_entities`) carries
// extensions["dcms-signature"] = {ts, nonce, sig}, sig = base64 HMAC-SHA256(DCMS_GATEWAY_HMAC_SECRET)
// of the canonical JSON of {nonce, query, ts, variables}. The stock `hmacSignature` option signed
// only {query, variables}: a captured request could be replayed for ever. With a timestamp and a
// one-time nonce under the signature, a subgraph refuses one older than 60 s or seen before.
//
// WebSocket: graphql-ws calls `connectionParams` on every (re)connect (gateway/upstream.ts), and
// connection_init carries connectionParams["x-dcms-gateway"] = {ts, nonce, sig} signed over
// {authorization, nonce, purpose: "ws-connect", ts}: outside dev mode a subgraph accepts a
// WebSocket only with it, so a user's token alone opens nothing there.
//
// Canonical JSON (`canonicalJson`): object keys sorted (JavaScript's default sort, by UTF-16 code
// units), no spaces, values as JSON.stringify writes them; the Python side writes the same bytes
// (tests/test_gateway_trust.py compares them through node).
import { createHmac, randomUUID } from 'node:crypto';
import { serializeExecutionRequest } from '@graphql-tools/executor-common';

export const EXTENSION = 'dcms-signature';
export const WS_PROOF = 'x-dcms-gateway';
const WS_PURPOSE = 'ws-connect';

const devMode = (process.env.DCMS_DEV ?? '1') === '1';
export const hmacSecret = process.env.DCMS_GATEWAY_HMAC_SECRET ?? '';
if (!hmacSecret && !devMode) throw new Error('DCMS_GATEWAY_HMAC_SECRET must be set outside dev mode');

type Proof = { ts: number; nonce: string; sig: string };

// JSON.stringify's output for `value`, object keys sorted; undefined where JSON.stringify would
// leave the member out.
export function canonicalJson(value: unknown): string | undefined {
  const withJson = value as { toJSON?: () => unknown } | null | undefined;
  if (withJson && typeof withJson === 'object' && typeof withJson.toJSON === 'function') value = withJson.toJSON();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item) ?? 'null').join(',')}]`;
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = canonicalJson((value as Record<string, unknown>)[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

export function signingPayload(query: string | undefined, variables: unknown, ts: number, nonce: string): string {
  const head = canonicalJson({ nonce, query, ts }) as string;
  // Empty variables are left out, as the subgraph sees them: `{a: undefined}` arrives as `{}`.
  const vars = variables == null ? undefined : canonicalJson(variables);
  // "variables" sorts after "nonce", "query" and "ts": appended last, the keys stay in order.
  return vars === undefined || vars === '{}' ? head : `${head.slice(0, -1)},"variables":${vars}}`;
}

export function wsPayload(authorization: string | undefined, ts: number, nonce: string): string {
  return canonicalJson({ authorization, nonce, purpose: WS_PURPOSE, ts }) as string;
}

function hmac(payload: string): string {
  // Synchronous: no await between the request and its signature, and no CryptoKey to cache.
  return createHmac('sha256', hmacSecret).update(payload, 'utf8').digest('base64');
}

export function httpSignature(query: string | undefined, variables: unknown): Proof {
  const ts = Date.now();
  const nonce = randomUUID();
  return { ts, nonce, sig: hmac(signingPayload(query, variables, ts, nonce)) };
}

// connectionParams of an upstream WebSocket with the gateway's proof added (none without a secret,
// in dev mode: the subgraphs there accept a WebSocket from anyone with a token).
export function withWsProof(params: Record<string, unknown>): Record<string, unknown> {
  if (!hmacSecret) return params;
  const authorization = typeof params.authorization === 'string' ? params.authorization : undefined;
  const ts = Date.now();
  const nonce = randomUUID();
  return { ...params, [WS_PROOF]: { ts, nonce, sig: hmac(wsPayload(authorization, ts, nonce)) } };
}

type ExecutionRequest = { document: unknown; variables?: Record<string, unknown>; extensions?: Record<string, unknown> };

// Replaces the stock `hmacSignature` option: same hook, our payload.
export function useDcmsSigning() {
  return {
    onSubgraphExecute({ executionRequest }: { executionRequest: ExecutionRequest }) {
      if (!hmacSecret) return;
      // The query exactly as the HTTP executor prints it (the same printer and cache).
      const { query } = serializeExecutionRequest({
        executionRequest: { document: executionRequest.document, variables: executionRequest.variables } as never,
      });
      executionRequest.extensions ??= {};
      executionRequest.extensions[EXTENSION] = httpSignature(query, executionRequest.variables);
    },
  };
}
