// Hive Gateway: one federated API over the five subgraphs.
//  - queries and `_entities` go to subgraphs over HTTP, with `authorization` and `x-request-id` forwarded;
//  - subscriptions go upstream over WebSocket (graphql-transport-ws), the client's token passed in
//    connectionParams (headers are not propagated on WS; a WS client's connectionParams become
//    `context.headers` here);
//  - clients subscribe over WebSocket (graphql-transport-ws) or SSE;
//  - tokens: the JWT plugin verifies the same ES256 access tokens the subgraphs verify (public
//    key file DCMS_TOKEN_PUBLIC_KEY_FILE, see security/keys.py), refuses forged or expired ones,
//    lets anonymous requests through (login, refreshToken; the subgraphs refuse the rest), and
//    generic auth enforces `@authenticated` / `@requiresScopes` on the supergraph.
// DCMS_SUPERGRAPH picks another composed supergraph (tests compose one for their own ports).
// Security settings come from the environment, set by subgraphs/gateway.py from subgraphs/settings.py:
// DCMS_GATEWAY_HMAC_SECRET, DCMS_DEV, DCMS_CORS_ORIGINS and the DCMS_MAX_* query limits.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { useGenericAuth } from '@envelop/generic-auth';
import { defineConfig, useJWT } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { useAdmission, useUpstreamCancellation } from './admission.ts';
import { clientAddress } from './client_address.ts';
import { limits, useDcmsLimits } from './limits.ts';
import { prometheus, useDcmsMetrics } from './metrics.ts';
import { generateRequestId, requestIdOf, useOperationLog, useUpstreamOperationName } from './oplog.ts';
import {
  keepingDocument,
  useCodedRequestErrors,
  useDataOnExecutedResults,
  useJsonBodiesOnly,
  useWholeRequestErrors,
} from './requests.ts';
import { useRefuseSseSingleConnection, useStreamAuthEnd, useWebSocketOperations } from './streams.ts';
import { useDcmsSigning } from './signing.ts';
import { tracing } from './tracing.ts';
import { transports } from './upstream.ts';

const devMode = (process.env.DCMS_DEV ?? '1') === '1'; // DCMS_GATEWAY_HMAC_SECRET: signing.ts
const corsOrigins = (process.env.DCMS_CORS_ORIGINS ?? 'http://localhost:5173,http://127.0.0.1:5173')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean);

const publicKeyFile =
  process.env.DCMS_TOKEN_PUBLIC_KEY_FILE ??
  `${process.env.DCMS_KEYS_DIR ?? `${process.env.DCMS_VAR_DIR ?? '../var'}/keys`}/token-es256.pub.pem`;

// Every public key in the file by key id, the current one first (two during a key rotation).
// The id is the RFC 7638 thumbprint security/keys.py puts in each token's `kid` header. Kept as
// KeyObjects, built once here: jsonwebtoken turns a PEM string into one on every verification
// (crypto.createPublicKey, about 170 µs a request, twice the ES256 check itself).
function publicKeysByKid(file: string): Map<string, KeyObject> {
  const pems = readFileSync(file, 'utf8').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  const keys = new Map<string, KeyObject>();
  for (const pem of pems) {
    const key = createPublicKey(pem);
    const jwk = key.export({ format: 'jwk' }) as { crv: string; kty: string; x: string; y: string };
    const thumbprint = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
    keys.set(createHash('sha256').update(thumbprint).digest('base64url'), key);
  }
  if (keys.size === 0) throw new Error(`no PEM public key in ${file}`);
  return keys;
}
const publicKeys = publicKeysByKid(publicKeyFile);
const currentKey = publicKeys.values().next().value as KeyObject;

// `Authorization: Bearer <token>` on HTTP and SSE, `{"authorization": "Bearer <token>"}` in a
// WebSocket client's connectionParams (the stock extractFromConnectionParams wants a bare token).
function bearer(value: unknown): { token: string; prefix: string } | undefined {
  const match = typeof value === 'string' ? /^\s*bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? { token: match[1], prefix: 'Bearer' } : undefined;
}

type Claims = { typ?: string; role?: string; perms?: string[] };

// Query planning and execution: @graphql-hive/router-runtime (the Rust query planner) unless
// HIVE_ROUTER_RUNTIME says no (0, false, no, off): then the stock stitching runtime. The router
// runtime costs less CPU per request and per subscription event (docs/performance.md, "Gateway").
const stockRuntime = ['0', 'false', 'no', 'off'].includes((process.env.HIVE_ROUTER_RUNTIME ?? '').trim().toLowerCase());

// -- TLS (docs/security.md, "TLS") --
// DCMS_GATEWAY_TLS_CERT_FILE + DCMS_GATEWAY_TLS_KEY_FILE (PEM; the certificate file may hold the
// chain): the gateway serves HTTPS and WSS itself on its one port, plain HTTP is no longer spoken
// there. DCMS_GATEWAY_TLS_KEY_PASSPHRASE_FILE: a file holding the key's passphrase, if it has one.
// Unset: plain HTTP, for a TLS-terminating proxy in front (deploy/tls/) or local development.
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');
function tlsCredentials(): {
  sslCredentials?: { cert_file_name: string; key_file_name: string; ssl_ciphers: string; passphrase?: string };
} {
  const cert = process.env.DCMS_GATEWAY_TLS_CERT_FILE?.trim();
  const key = process.env.DCMS_GATEWAY_TLS_KEY_FILE?.trim();
  if (!cert && !key) return {};
  if (!cert || !key) throw new Error('DCMS_GATEWAY_TLS_CERT_FILE and DCMS_GATEWAY_TLS_KEY_FILE go together');
  // Read now: a missing or unreadable file stops the start with its name, not the first handshake.
  readFileSync(cert);
  readFileSync(key);
  const passphraseFile = process.env.DCMS_GATEWAY_TLS_KEY_PASSPHRASE_FILE?.trim();
  const passphrase = passphraseFile ? readFileSync(passphraseFile, 'utf8').trim() : undefined;
  return {
    sslCredentials: {
      cert_file_name: cert,
      key_file_name: key,
      // TLS 1.2 suites: forward-secret AEAD only (TLS 1.3's are all that; Node's minimum is TLS 1.2).
      ssl_ciphers: TLS12_CIPHERS,
      ...(passphrase ? { passphrase } : {}),
    },
  };
}

export const gatewayConfig = defineConfig({
  supergraph: process.env.DCMS_SUPERGRAPH ?? '../schema/sdl/supergraph.graphql',
  ...(stockRuntime ? {} : { unifiedGraphHandler }),
  port: Number(process.env.DCMS_GATEWAY_PORT ?? 4000),
  host: process.env.DCMS_GATEWAY_HOST ?? '127.0.0.1',
  ...tlsCredentials(), // HTTPS + WSS when DCMS_GATEWAY_TLS_CERT_FILE / _KEY_FILE are set (above)
  graphiql: devMode ? { title: 'DCMS Graph' } : false,
  landingPage: devMode,
  // -- security (docs/security.md) --
  // Every upstream request (root operations and `_entities`) is signed over its body and
  // authorization header with a timestamp and a one-time nonce, every upstream WebSocket proves it
  // comes from here: signing.ts, verified by security/gateway_trust.py.
  disableIntrospection: !devMode,
  blockFieldSuggestions: !devMode,
  maxDepth: limits.maxDepth,
  maxTokens: limits.maxTokens,
  batching: { limit: limits.maxBatch },
  // Per request: the stock option answers an origin outside the list with
  // `Access-Control-Allow-Origin: null` (and credentials), which a sandboxed iframe or a file://
  // page, whose Origin *is* `null`, passes. Here an origin not in DCMS_CORS_ORIGINS (and `null`
  // always) gets no CORS header at all, so the browser refuses to share the response.
  cors: (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || origin === 'null' || !corsOrigins.includes(origin)) return false;
    return {
      // Twice: @whatwg-node/server adds `Vary: Origin` only when it picks one entry of a longer list.
      origin: [origin, origin],
      credentials: true,
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      methods: ['GET', 'POST', 'OPTIONS'],
    };
  },
  // The client's x-request-id, else one made here (the trace id when tracing is on): sent to every
  // subgraph, returned in the response, and in the failure line of oplog.ts (the subgraphs log the same id).
  requestId: { generateRequestId },
  // -- traces (tracing.ts, docs/observability.md): only with OTEL_EXPORTER_OTLP_ENDPOINT set --
  ...(tracing ? { openTelemetry: { traces: true } } : {}),
  // -- metrics: Prometheus at GET /metrics (metrics.ts; docs/observability.md "Metrics") --
  prometheus,
  // JWT first, then generic auth, both here in `plugins`: the top-level `genericAuth` option would
  // run before the JWT plugin and WebSocket subscribers would come through anonymous.
  plugins: () => [
    useAdmission(), // admission.ts: at most DCMS_GATEWAY_MAX_IN_FLIGHT operations, the rest OVERLOADED + Retry-After
    useUpstreamCancellation(), // admission.ts: a client that leaves aborts its subgraph fetches
    useOperationLog(), // oplog.ts: one line per failed operation, with the request id
    useDcmsMetrics(), // metrics.ts: dcms_gateway_operations_total etc. by operation and code
    useUpstreamOperationName(), // oplog.ts: subgraph requests carry the client's operation name
    useJsonBodiesOnly(), // requests.ts: a non-JSON POST (a cross-site form) is refused before parsing
    useCodedRequestErrors(), // requests.ts: a variable of the wrong type is BAD_USER_INPUT too
    useWholeRequestErrors(), // requests.ts: one failed root field nulls its siblings with its own error
    useDataOnExecutedResults(), // requests.ts: `data: null` when an executed operation answered nothing
    useDcmsSigning(), // signing.ts: signs each upstream request's final bytes as it leaves (onFetch)
    useDcmsLimits(limits),
    useStreamAuthEnd(),
    useWebSocketOperations(), // mutations over graphql-ws; over HTTP GET still refused
    useRefuseSseSingleConnection(), // graphql-sse single connection mode: a coded refusal
    useJWT({
      // ES256, not EdDSA: this plugin verifies with jsonwebtoken 9, which has no EdDSA.
      signingKeyProviders: [(kid?: string) => (kid && publicKeys.get(kid)) || currentKey],
      tokenLookupLocations: [
        ({ request }) => bearer(request?.headers.get('authorization')),
        ({ serverContext }) => {
          const params = (serverContext as { connectionParams?: Record<string, unknown> }).connectionParams;
          return bearer(params?.authorization ?? params?.Authorization);
        },
      ],
      tokenVerification: { algorithms: ['ES256'], issuer: 'dcms', audience: 'dcms-graph' },
      reject: { missingToken: false, invalidToken: true },
    }),
    // requests.ts: the document generic auth was given goes on, not its copy (the plan caches hit)
    ...keepingDocument(
      useGenericAuth<Claims, { jwt?: { payload?: Claims } }>({
        mode: 'protect-granular',
        // Only access tokens: a refresh token is for the refreshToken mutation alone.
        resolveUserFn: (context) => {
          const claims = context.jwt?.payload;
          return claims?.typ === 'access' ? claims : null;
        },
        // `@requiresScopes` scopes: the active role and `perms`, the functions its definition had when
        // the token was issued (角色管理, security/functions.py) with the extra grants.
        extractScopes: (claims: Claims | null) => (claims ? [claims.role ?? '', ...(claims.perms ?? [])].filter(Boolean) : []),
      }),
    ),
  ],
  propagateHeaders: {
    // `context.headers` holds a WebSocket client's connectionParams too, so the `_entities`
    // calls that enrich subscription events carry the subscriber's token.
    fromClientToSubgraphs({ request, context }) {
      const headers = (context as { headers?: Record<string, string | undefined> }).headers ?? {};
      // The client's address for lockout and the anonymous rate limit (client_address.ts: behind
      // a trusted proxy, from X-Forwarded-For); the subgraph believes it only on a signed request
      // (subgraphs/app.py CLIENT_IP_HEADER).
      const req = (context as { req?: Parameters<typeof clientAddress>[0] }).req;
      return {
        authorization: headers.authorization ?? request.headers.get('authorization') ?? undefined,
        'x-request-id': requestIdOf(request) ?? headers['x-request-id'] ?? undefined,
        'x-dcms-client-ip': clientAddress(req) ?? undefined,
        // The login log records the client's User-Agent (resolvers/operations/logs.py).
        'user-agent': request?.headers.get('user-agent') ?? headers['user-agent'] ?? undefined,
      };
    },
  },
  transports, // upstream.ts: a subgraph restart ends subscriptions with STREAM_INTERRUPTED
  transportEntries: {
    '*.http': {
      options: {
        subscriptions: {
          kind: 'ws',
          options: {
            connectionParams: { authorization: '{context.headers.authorization}' },
          },
        },
      },
    },
  },
});
