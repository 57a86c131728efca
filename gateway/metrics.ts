// Prometheus at the gateway: `GET /metrics` on the gateway's port (docs/observability.md, "Metrics").
//
// Two parts, both in prom-client's default registry (the one Hive Gateway's prometheus plugin uses):
//  - `prometheus` (the gateway config's option, @graphql-mesh/plugin-prometheus): the stock metrics,
//    per subgraph — graphql_gateway_subgraph_execute_duration / _errors, graphql_gateway_fetch_duration —
//    and per phase (parse, validate, execute, subscribe), HTTP durations, schema changes. The labels a
//    client chooses are off (operationName, url with its query string, error path, headers): a stock
//    metric cannot cap them;
//  - `useDcmsMetrics()`: dcms_gateway_operations_total, dcms_gateway_operation_errors_total and
//    dcms_gateway_operation_duration_seconds by operation (capped as observability/metrics.py caps it) and
//    code, like the subgraphs' dcms_operations_*; dcms_gateway_operations_in_flight and
//    dcms_gateway_rejected_total{code="OVERLOADED"} from admission.ts.
import { createCounter } from '@graphql-hive/gateway';
import { getOperationAST, type DocumentNode } from 'graphql';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { admissionFigures, OVERLOADED } from './admission.ts';

const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_NAMES = 200;
const names = new Set<string>();

// A client's operation name as a label value: bounded in form and number (observability/metrics.py).
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (names.has(name)) return name;
  if (!SAFE_NAME.test(name) || names.size >= MAX_OPERATION_NAMES) return 'other';
  names.add(name);
  return name;
}

type SubgraphExecuteParams = { subgraphName: string; executionRequest: { operationType?: string } };

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

// DCMS_GATEWAY_METRICS=0: no /metrics at the gateway (the gateway's port is the public one).
export const prometheus = process.env.DCMS_GATEWAY_METRICS === '0' ? undefined : {
  endpoint: '/metrics',
  metrics: {
    graphql_envelop_request: false, // dcms_gateway_operations_total instead (capped names, codes)
    graphql_envelop_request_duration: false, // dcms_gateway_operation_duration_seconds instead
    graphql_envelop_request_time_summary: false,
    graphql_envelop_deprecated_field: false,
    graphql_envelop_execute_resolver: false,
    graphql_envelop_error_result: false, // dcms_gateway_operation_errors_total instead (with the code)
    graphql_yoga_http_duration: LATENCY_BUCKETS,
    graphql_gateway_fetch_duration: LATENCY_BUCKETS,
    graphql_gateway_subgraph_execute_duration: LATENCY_BUCKETS,
    // The stock one labels with the operation name whatever `labels` says: the same without it.
    graphql_gateway_subgraph_execute_errors: createCounter({
      registry: register,
      counter: {
        name: 'graphql_gateway_subgraph_execute_errors',
        help: 'Number of errors on subgraph execution',
        labelNames: ['subgraphName', 'operationType'],
      },
      fillLabelsFn: ({ subgraphName, executionRequest }: SubgraphExecuteParams) => ({
        subgraphName,
        operationType: executionRequest.operationType ?? 'query',
      }),
    }),
  },
  labels: {
    operationName: false,
    url: false,
    path: false,
    fetchRequestHeaders: false,
    fetchResponseHeaders: false,
    requestHeaders: false,
    responseHeaders: false,
  },
};

const operations = new Counter({
  name: 'dcms_gateway_operations_total',
  help: 'Client operations executed by the gateway: code is OK or the first error code of the result',
  labelNames: ['operation', 'type', 'code'],
  registers: [register],
});
const operationErrors = new Counter({
  name: 'dcms_gateway_operation_errors_total',
  help: 'Failed client operations, once per distinct error code of each result',
  labelNames: ['operation', 'code'],
  registers: [register],
});
const operationDuration = new Histogram({
  name: 'dcms_gateway_operation_duration_seconds',
  help: 'Execution time of a client query or mutation at the gateway (subgraph calls included)',
  labelNames: ['operation', 'type'],
  buckets: LATENCY_BUCKETS,
  registers: [register],
});
new Gauge({
  name: 'dcms_gateway_operations_in_flight',
  help: 'Client operations over HTTP in flight at the gateway (DCMS_GATEWAY_MAX_IN_FLIGHT bounds them)',
  registers: [register],
  collect() {
    this.set(admissionFigures.inFlight);
  },
});
new Counter({
  name: 'dcms_gateway_rejected_total',
  help: 'Client operations the gateway refused before running them (OVERLOADED)',
  labelNames: ['code'],
  registers: [register],
  collect() {
    this.reset();
    this.inc({ code: OVERLOADED }, admissionFigures.refused);
  },
});

type ExecuteArgs = { document: DocumentNode; operationName?: string | null };
type Result = { errors?: readonly { extensions?: Record<string, unknown> }[] };

function codesOf(result: Result): string[] {
  const codes = (result.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  return [...new Set(codes)];
}

export function useDcmsMetrics() {
  return {
    onExecute({ args }: { args: ExecuteArgs }) {
      const started = performance.now();
      const ast = getOperationAST(args.document, args.operationName);
      const operation = operationLabel(args.operationName ?? ast?.name?.value);
      const type = ast?.operation ?? 'unknown';
      return {
        onExecuteDone({ result }: { result: unknown }) {
          if (!result || typeof result !== 'object') return;
          if (Symbol.asyncIterator in result) {
            operations.inc({ operation, type, code: 'OK' }); // a stream started; its end is coded in-band
            return;
          }
          const codes = codesOf(result as Result);
          operations.inc({ operation, type, code: codes[0] ?? 'OK' });
          for (const code of codes) operationErrors.inc({ operation, code });
          operationDuration.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
