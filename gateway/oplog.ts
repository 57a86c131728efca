// Logs a person can read: one line per failed operation, the same request id as the subgraphs.
//
// Hive Gateway's request-id plugin (on by default) takes the client's `x-request-id` or makes one,
// sends it to every subgraph request and returns it in the response header. `generateRequestId`
// below makes it here so this module knows it too: the failure line names the same id as the
// subgraphs' lines (subgraphs/oplog.py), in the same key=value format, on stderr (`dcms up`
// writes the gateway's output to var/log/gateway.log):
//
//   2026-12-05T21:40:00.123Z INFO operation failed code=NOT_FOUND op=CustomerPage request_id=… user=… duration_ms=12.3
import { randomUUID } from 'node:crypto';
import { getOperationAST, Kind, type DocumentNode } from 'graphql';
import { activeTraceId } from './tracing.ts';

const requestIds = new WeakMap<Request, string>();
const UNSAFE = /[^A-Za-z0-9._:/@+-]/g;

function plain(value: unknown): string {
  const text = value === undefined || value === null || value === '' ? '-' : String(value);
  return text.replace(UNSAFE, '_').slice(0, 128);
}

// For the gateway config's `requestId.generateRequestId`: only called when the client sent none.
// 32 hex digits, a valid W3C trace id: the running trace's id when tracing is on (tracing.ts), so a
// log line's request id finds its trace.
export function generateRequestId({ request }: { request: Request }): string {
  const id = activeTraceId() ?? randomUUID().replaceAll('-', '');
  requestIds.set(request, id);
  return id;
}

export function requestIdOf(request: Request | undefined): string | undefined {
  if (!request) return undefined;
  return request.headers.get('x-request-id') ?? requestIds.get(request);
}

type Context = { request?: Request; jwt?: { payload?: { sub?: string } } };
type ExecuteArgs = { document: DocumentNode; operationName?: string | null; contextValue: Context };
type Result = { errors?: readonly { extensions?: Record<string, unknown> }[] };

export function useOperationLog() {
  return {
    onExecute({ args }: { args: ExecuteArgs }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }: { result: unknown }) {
          // A subscription's result is a stream: its failures end it with a coded error instead.
          if (!result || typeof result !== 'object' || Symbol.asyncIterator in result) return;
          const errors = (result as Result).errors ?? [];
          if (errors.length === 0) return;
          const codes = [...new Set(errors.map((e) => plain(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const context = args.contextValue;
          const operation = args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value;
          const level = codes.includes('INTERNAL_SERVER_ERROR') ? 'ERROR' : 'INFO';
          process.stderr.write(
            `${new Date().toISOString()} ${level} operation failed code=${codes.join(',')} op=${plain(operation)} ` +
              `request_id=${plain(requestIdOf(context.request))} user=${plain(context.jwt?.payload?.sub)} ` +
              `duration_ms=${(performance.now() - started).toFixed(1)}\n`,
          );
        },
      };
    },
  };
}

// -- the operation's name, upstream too ------------------------------------------------------------
// The subgraphs' failure lines name the client's operation (`op=`). The stock runtime sends every
// subgraph request under the client's operation name; the Rust query planner of
// @graphql-hive/router-runtime plans anonymous subgraph operations, so there the name is put back:
// on the request (`operationName`) and on its document, which must carry the name it is asked for.
// A fetch's document is the planner's, one per fetch of a cached plan, so the named copy is kept
// per (document, name) and printed once like the original.
type SubgraphRequest = { document: DocumentNode; operationName?: string; context?: object };
type SubgraphExecutePayload = {
  executionRequest: SubgraphRequest;
  setExecutionRequest(request: SubgraphRequest): void;
};

const operationNames = new WeakMap<object, string>();
const namedDocuments = new WeakMap<DocumentNode, Map<string, DocumentNode>>();

function named(document: DocumentNode, name: string): DocumentNode {
  let byName = namedDocuments.get(document);
  if (!byName) namedDocuments.set(document, (byName = new Map()));
  let copy = byName.get(name);
  if (!copy) {
    const definitions = document.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && !definition.name
        ? { ...definition, name: { kind: Kind.NAME, value: name } as const }
        : definition,
    );
    copy = { ...document, definitions };
    byName.set(name, copy);
  }
  return copy;
}

export function useUpstreamOperationName() {
  const remember = ({ args }: { args: ExecuteArgs }) => {
    const name = args.operationName ?? getOperationAST(args.document, args.operationName)?.name?.value;
    if (name) operationNames.set(args.contextValue, name);
  };
  return {
    onExecute: remember,
    onSubscribe: remember,
    onSubgraphExecute({ executionRequest, setExecutionRequest }: SubgraphExecutePayload) {
      const name = executionRequest.context && operationNames.get(executionRequest.context);
      if (!name || executionRequest.operationName) return;
      setExecutionRequest({ ...executionRequest, operationName: name, document: named(executionRequest.document, name) });
    },
  };
}
