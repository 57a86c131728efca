// Hive Gateway: one federated API over the five subgraphs.
//  - queries and `_entities` go to subgraphs over HTTP, with `authorization` and `x-request-id` forwarded;
//  - subscriptions go upstream over WebSocket (graphql-transport-ws), the client's token passed in
//    connectionParams (headers are not propagated on WS; a WS client's connectionParams become
//    `context.headers` here);
//  - clients subscribe over WebSocket (graphql-transport-ws) or SSE.
// DCMS_SUPERGRAPH picks another composed supergraph (tests compose one for their own ports).
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  supergraph: process.env.DCMS_SUPERGRAPH ?? '../schema/sdl/supergraph.graphql',
  port: Number(process.env.DCMS_GATEWAY_PORT ?? 4000),
  host: process.env.DCMS_GATEWAY_HOST ?? '127.0.0.1',
  graphiql: { title: 'DCMS Graph' },
  propagateHeaders: {
    // `context.headers` holds a WebSocket client's connectionParams too, so the `_entities`
    // calls that enrich subscription events carry the subscriber's token.
    fromClientToSubgraphs({ request, context }) {
      const headers = (context as { headers?: Record<string, string | undefined> }).headers ?? {};
      return {
        authorization: headers.authorization ?? request.headers.get('authorization') ?? undefined,
        'x-request-id': request.headers.get('x-request-id') ?? headers['x-request-id'] ?? undefined,
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
