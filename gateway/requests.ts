// What a client may POST: JSON only (docs/security.md).
// A browser sends a cross-site form (application/x-www-form-urlencoded, multipart/form-data,
// text/plain) without a CORS preflight, so a page on any site could post `login` or a mutation
// with the victim's cookies or into the victim's browser session (login CSRF). A JSON body needs a
// preflight, which CORS refuses to other origins. Yoga itself runs a form-encoded POST and answers
// the other types with an empty 415: here every non-JSON POST gets a coded 415 before parsing.
// The subgraphs refuse the same (subgraphs/body_guard.py).

// What Yoga parses as a JSON request (application/graphql-response+json is a response type).
const JSON_TYPES = new Set(['application/json', 'application/graphql+json']);

function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function refusal(status: number, message: string): Response {
  const body = { errors: [{ message, extensions: { code: 'BAD_USER_INPUT', http: { status } } }] };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

export function useJsonBodiesOnly() {
  return {
    onRequest({ request, endResponse }: { request: Request; endResponse: (response: Response) => void }) {
      if (request.method !== 'POST') return;
      if (!JSON_TYPES.has(mediaType(request.headers.get('content-type')))) {
        endResponse(
          refusal(415, '请求体必须是 JSON (POST bodies must be application/json)'),
        );
      }
    },
  };
}

// A request error graphql-js raises without a code (a variable of the wrong type: `$n: "x"` for an
// Int) gets BAD_USER_INPUT (a refused token UNAUTHENTICATED), so every refusal a client sees is
// coded. Only errors without a path: those come before execution, from the request itself;
// execution errors carry their own codes.
type JsonError = { message: string; path?: unknown; extensions?: Record<string, unknown> };
type Result = { errors?: readonly JsonError[] } & Record<string, unknown>;

// The JWT plugin's refusals carry no code either: a token that is forged or expired (HTTP 401)
// or does not decode, or a malformed Authorization header (HTTP 400, these messages). They are
// UNAUTHENTICATED, as the subgraphs say for the same token, so a client refreshes or logs in
// again instead of taking its token for bad input.
const TOKEN_REFUSALS = new Set([
  'Invalid authentication token provided',
  'Authentication header was set, but token is missing.',
  'Invalid JWT authentication token prefix.',
]);

function codeOf(error: JsonError): string {
  const http = error.extensions?.http as { status?: number } | undefined;
  return http?.status === 401 || TOKEN_REFUSALS.has(error.message) ? 'UNAUTHENTICATED' : 'BAD_USER_INPUT';
}

function coded(result: Result): Result {
  if (!result?.errors?.some((error) => !error.path && !error.extensions?.code)) return result;
  const errors = result.errors.map((error) => {
    if (error.path || error.extensions?.code) return error;
    const toJSON = (error as { toJSON?: () => JsonError }).toJSON;
    const json = typeof toJSON === 'function' ? toJSON.call(error) : error;
    return { ...json, extensions: { ...json.extensions, code: codeOf(json) } };
  });
  return { ...result, errors };
}

export function useCodedRequestErrors() {
  return {
    onResultProcess({ result, setResult }: { result: unknown; setResult: (result: never) => void }) {
      if (Array.isArray(result)) setResult(result.map((item) => coded(item as Result)) as never);
      else if (result && typeof result === 'object' && !(Symbol.asyncIterator in result)) {
        setResult(coded(result as Result) as never);
      }
    },
  };
}

// A subgraph answers `data: null` when one of its non-null root fields fails (a bad argument:
// BAD_USER_INPUT at ["handlings"]). The gateway then finds no value for the other root fields it
// sent the same subgraph and reports the first of those as INTERNAL_SERVER_ERROR, losing the real
// error. Without a path, the subgraph's errors belong to every root field of that request instead.
type SubgraphResult = { data?: unknown; errors?: readonly { path?: readonly unknown[] }[] };

export function useWholeRequestErrors() {
  return {
    onSubgraphExecute() {
      return ({ result, setResult }: { result: unknown; setResult: (result: never) => void }) => {
        const answer = result as SubgraphResult;
        if (!answer || typeof answer !== 'object' || Symbol.asyncIterator in answer) return;
        if (answer.data !== null || !answer.errors?.length) return;
        if (!answer.errors.every((error) => (error.path?.length ?? 0) <= 1)) return;
        const errors = answer.errors.map((error) => {
          const { path: _path, ...rest } = error as Record<string, unknown>;
          return rest;
        });
        setResult({ ...answer, errors } as never);
      };
    },
  };
}

// An executed operation's result always has `data` (GraphQL spec, "Response"): null when nothing
// could be answered. @graphql-hive/router-runtime leaves `data` out when no subgraph answered any
// data (a refused login, a subgraph's OVERLOADED): here it is null, as the stock runtime gives it.
// Only results whose errors all have a path (raised while executing): an error before execution
// (a variable of the wrong type) has none, and its result keeps no `data`, as the spec says.
export function useDataOnExecutedResults() {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }: { result: unknown; setResult: (result: never) => void }) {
          if (!result || typeof result !== 'object' || Symbol.asyncIterator in result || 'data' in result) return;
          const errors = (result as Result).errors;
          if (!errors?.length || !errors.every((error) => error.path)) return;
          setResult({ data: null, ...result } as never);
        },
      };
    },
  };
}

// -- one document object per query, through generic auth ---------------------------------------------
// @envelop/generic-auth checks `@authenticated` / `@requiresScopes` on every execution by visiting
// the operation, and hands on a copy of the document (removeEmptyOrUnusedNodes rebuilds it even
// when nothing was removed). Every cache keyed by the document object after it then missed on
// every request: the router runtime planned each request again in Rust, the document printed
// again for it. Generic auth runs in reject mode: an operation selecting a field the caller may
// not see is refused whole and goes no further; an operation it lets through is copied unchanged
// (it removes only the fields it refuses, then fragments and selections left empty, which
// validation already refuses). So the hook after it, reached only when it let the operation
// through, puts back the document it was given: Yoga's parse cache gives the same object for the
// same query text.
type DocumentArgs = { args: { document: unknown } };

export function keepingDocument<Plugin>(plugin: Plugin): [object, Plugin, object] {
  const given = new WeakMap<object, unknown>();
  const remember = ({ args }: DocumentArgs) => {
    given.set(args, args.document);
  };
  const restore = ({ args }: DocumentArgs) => {
    if (given.has(args)) args.document = given.get(args);
  };
  return [{ onExecute: remember, onSubscribe: remember }, plugin, { onExecute: restore, onSubscribe: restore }];
}
