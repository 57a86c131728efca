// A bounded queue at the gateway (docs/running.md "Workers and admission").
//
// At most DCMS_GATEWAY_MAX_IN_FLIGHT (64; 0 = no bound) client operations over HTTP are in flight
// in this gateway process; one more is answered at once, before its body is parsed, with HTTP 503,
// `Retry-After: DCMS_RETRY_AFTER_SECONDS` (1) and
//   {"data": null, "errors": [{"message": "服务繁忙，请稍后重试 (…)", "extensions": {"code": "OVERLOADED", "retryAfter": 1}}]}
// Not counted: WebSocket and SSE subscriptions (long-lived; capped per user at the subgraphs),
// GraphiQL's page, health checks. An operation leaves the count when its response is ready or its
// client goes away (the request's AbortSignal), whichever is first.
//
// A subgraph's own OVERLOADED refusal (subgraphs/admission.py, HTTP 503 there) reaches the client
// with its code: the gateway parses a subgraph's JSON errors whatever the HTTP status (it retries
// nothing unless `upstreamRetry` is set). Here such a result also gets the `Retry-After` header,
// and HTTP 503 when nothing else answered (`data` null); a partial result stays 200 with the
// error at its path. Yoga sets status and headers from `extensions.http` and strips that key.
//
// Why 503 rather than 200: proxies, load balancers and HTTP clients know 503 + Retry-After, and
// urql (≥ 4) and the GraphQL-over-HTTP spec read a JSON GraphQL body whatever the status:
// urql gives `error.graphQLErrors[0].extensions.code === 'OVERLOADED'` and `error.response`
// carries the header. A client waits Retry-After seconds and sends the operation again.
import { createGraphQLError } from '@graphql-tools/utils';

export const OVERLOADED = 'OVERLOADED';

export type AdmissionOptions = { maxInFlight: number; retryAfterSeconds: number };

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function admissionFromEnv(): AdmissionOptions {
  return {
    maxInFlight: envNumber('DCMS_GATEWAY_MAX_IN_FLIGHT', 64), // subgraphs/settings.py Admission
    retryAfterSeconds: envNumber('DCMS_RETRY_AFTER_SECONDS', 1),
  };
}

function overloaded(inFlight: number, retryAfter: number): Response {
  const error = {
    message: `服务繁忙，请稍后重试 (overloaded: ${inFlight} operations in flight, retry after ${retryAfter} s)`,
    extensions: { code: OVERLOADED, retryAfter },
  };
  return new Response(JSON.stringify({ data: null, errors: [error] }), {
    status: 503,
    headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfter) },
  });
}

// What the bound counts: a GraphQL operation over plain HTTP (not an SSE stream, not GraphiQL).
function counted(request: Request, url: URL): boolean {
  if (!url.pathname.endsWith('/graphql')) return false;
  if ((request.headers.get('accept') ?? '').includes('text/event-stream')) return false;
  if (request.method === 'POST') return true;
  return request.method === 'GET' && url.searchParams.has('query');
}

type JsonError = { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };
type Result = { data?: unknown; errors?: readonly JsonError[] } & Record<string, unknown>;

// A subgraph's OVERLOADED: Retry-After on the response, 503 when the whole result is refused.
function withRetryAfter(result: Result, retryAfter: number): Result {
  if (!result?.errors?.some((error) => error.extensions?.code === OVERLOADED)) return result;
  const refused = result.data == null;
  const errors = result.errors.map((error) => {
    if (error.extensions?.code !== OVERLOADED) return error;
    const seconds = Number(error.extensions.retryAfter) || retryAfter;
    const http = { headers: { 'Retry-After': String(seconds) }, ...(refused ? { status: 503 } : {}) };
    return createGraphQLError(error.message, { path: error.path, extensions: { ...error.extensions, http } });
  });
  return { ...result, errors };
}

// This process's figures, read by metrics.ts when Prometheus scrapes (the last useAdmission's).
export const admissionFigures = { inFlight: 0, refused: 0 };

export function useAdmission(options: AdmissionOptions = admissionFromEnv()) {
  let inFlight = 0;
  const admitted = new WeakSet<Request>();
  const release = (request: Request) => {
    if (admitted.delete(request)) admissionFigures.inFlight = inFlight -= 1;
  };
  return {
    onRequest({ request, url, endResponse }: { request: Request; url: URL; endResponse: (response: Response) => void }) {
      if (!counted(request, url)) return;
      if (options.maxInFlight > 0 && inFlight >= options.maxInFlight) {
        admissionFigures.refused += 1;
        endResponse(overloaded(inFlight, options.retryAfterSeconds));
        return;
      }
      admissionFigures.inFlight = inFlight += 1;
      admitted.add(request);
      request.signal?.addEventListener('abort', () => release(request), { once: true });
    },
    onResponse({ request }: { request: Request }) {
      release(request);
    },
    onResultProcess({ result, setResult }: { result: unknown; setResult: (result: never) => void }) {
      const retryAfter = options.retryAfterSeconds;
      if (Array.isArray(result)) setResult(result.map((item) => withRetryAfter(item as Result, retryAfter)) as never);
      else if (result && typeof result === 'object' && !(Symbol.asyncIterator in result)) {
        setResult(withRetryAfter(result as Result, retryAfter) as never);
      }
    },
  };
}

// A client that goes away aborts its subgraph fetches, and the subgraph cancels the operation
// (subgraphs/admission.py; tests/e2e/test_admission.py). The fetch gets the client request's signal
// itself. Not Hive Gateway's `upstreamCancellation` (nor `executionCancellation`): both hand the
// signal on through the execution, and the HTTP executor combines it with its own long-lived
// signal (abortSignalAny), which adds a listener to that one signal per subgraph request, removed
// only when the combined signal is garbage collected. Node checks every listener on each add, so
// that cost grew with the load: 4–9 % of the gateway's CPU on the morning page. What this gives up:
// the executor's own signal, which aborts fetches still running when the supergraph is replaced.
// Not over a WebSocket: there `context.request` is the socket's upgrade request, whose signal has
// nothing to do with the operation (its subscription events' `_entities` fetches were aborted).
type UpstreamFetch = {
  context?: { request?: Request; socket?: unknown };
  options: { signal?: AbortSignal };
  executionRequest?: unknown;
};

export function useUpstreamCancellation() {
  return {
    onFetch({ context, options, executionRequest }: UpstreamFetch) {
      const signal = context?.request?.signal;
      if (executionRequest && signal && !context?.socket) options.signal = signal;
    },
  };
}
