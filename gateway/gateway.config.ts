// Hive Gateway: one federated API over the five subgraphs.
//  - queries and `_entities` go to subgraphs over HTTP, with `authorization` and `x-request-id` forwarded;
//  - subscriptions go upstream over WebSocket (graphql-transport-ws), the client's token passed in
//    connectionParams (headers are not propagated on WS; a WS client's connectionParams become
//    `context.headers` here);
//  - clients subscribe over WebSocket (graphql-transport-ws) or SSE.
// DCMS_SUPERGRAPH picks another composed supergraph (tests compose one for their own ports).
// Security settings come from the environment, set by subgraphs/gateway.py from subgraphs/settings.py:
// DCMS_GATEWAY_HMAC_SECRET, DCMS_DEV, DCMS_CORS_ORIGINS and the DCMS_MAX_* query limits.
import { defineConfig } from '@graphql-hive/gateway';
import { limits, useDcmsLimits } from './limits.ts';

const devMode = (process.env.DCMS_DEV ?? '1') === '1';
const hmacSecret = process.env.DCMS_GATEWAY_HMAC_SECRET;
if (!hmacSecret && !devMode) throw new Error('DCMS_GATEWAY_HMAC_SECRET must be set outside dev mode');
const corsOrigins = (process.env.DCMS_CORS_ORIGINS ?? 'http://localhost:5173,http://127.0.0.1:5173')
  .split(',')
  .map((origin) => origin.trim())
  .filter(Boolean);

export const gatewayConfig = defineConfig({
  supergraph: process.env.DCMS_SUPERGRAPH ?? '../schema/sdl/supergraph.graphql',
  port: Number(process.env.DCMS_GATEWAY_PORT ?? 4000),
  host: process.env.DCMS_GATEWAY_HOST ?? '127.0.0.1',
  graphiql: devMode ? { title: 'DCMS Graph' } : false,
  landingPage: devMode,
  // -- security (README "Security model") --
  // Every upstream request (root operations and `_entities`) carries an HMAC-SHA256 signature
  // of {query, variables} in extensions["hmac-signature"]; subgraphs/app.py verifies it.
  ...(hmacSecret ? { hmacSignature: { secret: hmacSecret } } : {}),
  disableIntrospection: !devMode,
  blockFieldSuggestions: !devMode,
  maxDepth: limits.maxDepth,
  maxTokens: limits.maxTokens,
  batching: { limit: limits.maxBatch },
  cors: {
    origin: corsOrigins,
    credentials: true,
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    methods: ['GET', 'POST', 'OPTIONS'],
  },
  plugins: () => [useDcmsLimits(limits)],
  propagateHeaders: {
    // `context.headers` holds a WebSocket client's connectionParams too, so the `_entities`
    // calls that enrich subscription events carry the subscriber's token.
    fromClientToSubgraphs({ request, context }) {
      const headers = (context as { headers?: Record<string, string | undefined> }).headers ?? {};
      // The client's address for the anonymous rate limit; the subgraph believes it only on a
      // signed request (subgraphs/app.py CLIENT_IP_HEADER).
      const socket = (context as { req?: { socket?: { remoteAddress?: string } } }).req?.socket;
      return {
        authorization: headers.authorization ?? request.headers.get('authorization') ?? undefined,
        'x-request-id': request.headers.get('x-request-id') ?? headers['x-request-id'] ?? undefined,
        'x-dcms-client-ip': socket?.remoteAddress ?? undefined,
      };
    },
  },
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
