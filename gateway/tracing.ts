// OpenTelemetry traces (docs/observability.md, "Traces"): on only when OTEL_EXPORTER_OTLP_ENDPOINT
// is set; otherwise nothing here runs and the gateway config adds no plugin (no cost).
//
// One trace per client operation: Hive Gateway's OpenTelemetry plugin (the config's
// `openTelemetry` option) makes the HTTP, GraphQL, subgraph-execution and upstream-fetch spans and
// puts the W3C `traceparent` on every subgraph request, so each subgraph's spans join the trace. A
// client's own `traceparent` is honoured (the trace continues the client's). Spans leave over
// OTLP/HTTP protobuf, batched: the exporter and the batch processor read the standard
// OTEL_EXPORTER_OTLP_* and OTEL_BSP_* variables (the endpoint gets `/v1/traces` appended).
import { isSpanContextValid, trace } from '@graphql-hive/gateway/opentelemetry/api';
import { openTelemetrySetup } from '@graphql-hive/gateway/opentelemetry/setup';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';

export const tracing = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());

// OTEL_TRACES_SAMPLER=(parentbased_)traceidratio with OTEL_TRACES_SAMPLER_ARG=<0..1> keeps that share of
// the traces (openTelemetrySetup reads neither variable); otherwise every operation is traced.
function sampler(): ParentBasedSampler | undefined {
  const kind = (process.env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase();
  const ratio = Number(process.env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  if (!kind.endsWith('traceidratio') || !(ratio >= 0 && ratio <= 1)) return undefined;
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
}

if (tracing) {
  const sampling = sampler();
  openTelemetrySetup({
    ...(sampling ? { sampler: sampling } : {}),
    contextManager: new AsyncLocalStorageContextManager(),
    resource: { serviceName: process.env.OTEL_SERVICE_NAME?.trim() || 'dcms-gateway' },
    traces: { exporter: new OTLPTraceExporter() },
  });
}

// The trace id of the running request (32 hex), for the request id: logs and traces join on it.
export function activeTraceId(): string | undefined {
  if (!tracing) return undefined;
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}
