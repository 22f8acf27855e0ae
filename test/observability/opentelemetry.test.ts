// OpenTelemetry through the real SDKs (in-memory span exporter, a metric reader collected on
// demand) registered globally, as an application does: a CLIENT span per RPC attempt with the
// rpc.* conventions, and metrics per service and outcome. Before an SDK is registered, and with
// the API missing, nothing is recorded and nothing fails.
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createCanceller } from '../../src';
import { loadOtelApi } from '../../src/observability/otel-bridge';
import { createTelemetry } from '../../src/observability/telemetry';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();
const FAST = { initialDelayMs: 5, maxDelayMs: 20 };

/** A reader the test collects from when it wants (no timer). */
class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  async metricsByName(): Promise<Map<string, MetricData>> {
    const { resourceMetrics } = await this.collect();
    const out = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const m of scope.metrics) out.set(m.descriptor.name, m);
    }
    return out;
  }
}

afterEach(() => {
  trace.disable();
  metrics.disable();
});

test('no SDK registered: calls run and nothing is recorded; an SDK registered later is used at once', async () => {
  emu.get().store.seed({ name: 'projects/p/operations/before', service: 'datastore' });
  emu.get().store.seed({ name: 'projects/p/operations/after', service: 'datastore' });
  const c = createCanceller({ emulator: emu.get().target, service: 'datastore' });
  const exporter = new InMemorySpanExporter();
  try {
    expect((await c.cancel('projects/p/operations/before')).outcome).toBe('cancel-requested');
    // Registered after the canceller was made (and used): its spans start now.
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    expect((await c.cancel('projects/p/operations/after')).outcome).toBe('cancel-requested');
  } finally {
    await c.close();
  }
  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.attributes['lro_cancel.operation_name'])).toEqual([
    'projects/p/operations/after',
  ]);
});

test('a span per attempt with rpc.* attributes, and metrics per service and outcome', async () => {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  const reader = new CollectingReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

  const name = 'projects/p/operations/flaky';
  emu.get().store.seed({ name, service: 'datastore', failTimes: 2 });
  const c = createCanceller({ emulator: emu.get().target, service: 'datastore', retry: FAST });
  try {
    await c.cancel(name);
    await expect(c.cancel('projects/p/operations/missing')).rejects.toMatchObject({ outcome: 'not-found' });
  } finally {
    await c.close();
  }

  const spans = exporter.getFinishedSpans();
  expect(spans.map((s) => s.attributes['rpc.grpc.status_code'])).toEqual([14, 14, 0, 5]);
  for (const s of spans) {
    expect(s.name).toBe('google.longrunning.Operations/CancelOperation');
    expect(s.kind).toBe(SpanKind.CLIENT);
    expect(s.attributes).toMatchObject({
      'rpc.system': 'grpc',
      'rpc.service': 'google.longrunning.Operations',
      'rpc.method': 'CancelOperation',
      'server.address': '127.0.0.1',
      'lro_cancel.service': 'datastore',
    });
    expect(s.instrumentationScope.name).toBe('lro-cancel');
  }
  expect(spans.map((s) => s.attributes['lro_cancel.attempt'])).toEqual([1, 2, 3, 1]);
  expect(spans.map((s) => s.status.code)).toEqual([
    SpanStatusCode.ERROR,
    SpanStatusCode.ERROR,
    SpanStatusCode.UNSET,
    SpanStatusCode.ERROR,
  ]);
  expect(spans[0]?.status.message).toBe('UNAVAILABLE');

  const byName = await reader.metricsByName();
  const points = (metric: string): { attributes: Record<string, unknown>; value: unknown }[] =>
    (byName.get(metric)?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: unknown }[];
  // Attempt durations by status code: two UNAVAILABLE, one OK, one NOT_FOUND.
  const attempts = points('rpc.client.duration').map((p) => [
    p.attributes['rpc.grpc.status_code'],
    (p.value as { count: number }).count,
  ]);
  expect(attempts.sort()).toEqual([
    [0, 1],
    [14, 2],
    [5, 1],
  ]);
  expect(byName.get('rpc.client.duration')?.descriptor.unit).toBe('ms');
  expect(
    points('lro_cancel.rpc.retries').map((p) => [p.attributes['rpc.grpc.status_code'], p.value]),
  ).toEqual([[14, 2]]);
  const results = points('lro_cancel.cancel.results').map((p) => [
    p.attributes['lro_cancel.service'],
    p.attributes['lro_cancel.outcome'],
    p.value,
  ]);
  expect(results.sort()).toEqual([
    ['datastore', 'cancel-requested', 1],
    ['datastore', 'not-found', 1],
  ]);
  expect(points('lro_cancel.cancel.duration')).toHaveLength(2);
});

test('without @opentelemetry/api (or with openTelemetry: false) there is nothing to observe', () => {
  const missing = (): never => {
    throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
  };
  expect(loadOtelApi(missing)).toBeUndefined();
  // A package too old to have what is used here counts as missing.
  expect(loadOtelApi(() => ({ trace: {} }))).toBeUndefined();
  expect(loadOtelApi(require)).toBeDefined();
  expect(createTelemetry({ openTelemetry: false }, '0')).toBeUndefined();
  expect(createTelemetry({}, '0')).toBeDefined(); // the API is here (a devDependency)
});
