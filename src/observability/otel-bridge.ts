/*
 * OpenTelemetry, when the application has @opentelemetry/api: an optional peer dependency,
 * required lazily (once, on the first canceller) and never imported for its types, so the
 * package and its declarations work without it. Only the slice of the API used here is typed,
 * structurally. With no SDK registered nothing is recorded and the per-call check is a couple
 * of property reads (the global providers are compared with the API's own no-op ones).
 */

/** Attribute values as OpenTelemetry takes them. */
type Attributes = Record<string, string | number | boolean>;

interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}
interface OtelTracer {
  startSpan(name: string, options: { kind: number; attributes: Attributes }): OtelSpan;
}
interface OtelTracerProvider {
  getTracer(name: string, version?: string): OtelTracer;
}
interface OtelProxyTracerProvider extends OtelTracerProvider {
  getDelegate(): OtelTracerProvider;
}
interface OtelCounter {
  add(value: number, attributes?: Attributes): void;
}
interface OtelHistogram {
  record(value: number, attributes?: Attributes): void;
}
interface OtelMeter {
  createCounter(name: string, options?: { description?: string; unit?: string }): OtelCounter;
  createHistogram(name: string, options?: { description?: string; unit?: string }): OtelHistogram;
}
interface OtelMeterProvider {
  getMeter(name: string, version?: string): OtelMeter;
}

/** The part of @opentelemetry/api this module uses. @internal */
export interface OtelApi {
  trace: { getTracerProvider(): OtelTracerProvider; getTracer(name: string, version?: string): OtelTracer };
  metrics: { getMeterProvider(): OtelMeterProvider };
  ProxyTracerProvider: new () => OtelProxyTracerProvider;
  createNoopMeter(): OtelMeter;
  SpanKind: { CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

/** The instruments lro-cancel records to (names and units in the README's "Observability"). @internal */
export interface OtelInstruments {
  /** Per attempt: `rpc.client.duration` (ms), by rpc.* attributes and lro_cancel.service. */
  attemptDuration: OtelHistogram;
  /** Per retry: `lro_cancel.rpc.retries`, by service, method and the failed attempt's code. */
  retries: OtelCounter;
  /** Per cancel: `lro_cancel.cancel.results`, by service and outcome. */
  results: OtelCounter;
  /** Per cancel: `lro_cancel.cancel.duration` (ms), by service and outcome. */
  resultDuration: OtelHistogram;
}

const SCOPE = 'lro-cancel';

let loaded: OtelApi | null | undefined;

/**
 * @opentelemetry/api, or undefined when the application does not have it (or has one too old
 * to have what is used here). Required once per process. @internal
 */
export function otelApi(load: (id: string) => unknown = require): OtelApi | undefined {
  if (loaded === undefined) loaded = loadOtelApi(load) ?? null;
  return loaded ?? undefined;
}

/** Load and check @opentelemetry/api with `load` (tests pass a failing one). @internal */
export function loadOtelApi(load: (id: string) => unknown): OtelApi | undefined {
  try {
    const api = load('@opentelemetry/api') as Partial<OtelApi> | undefined;
    if (
      typeof api?.trace?.getTracerProvider === 'function' &&
      typeof api.metrics?.getMeterProvider === 'function' &&
      typeof api.ProxyTracerProvider === 'function' &&
      typeof api.createNoopMeter === 'function' &&
      api.SpanKind !== undefined &&
      api.SpanStatusCode !== undefined
    ) {
      return api as OtelApi;
    }
  } catch {
    // Not installed (the usual case without OpenTelemetry): no spans, no metrics.
  }
  return undefined;
}

/**
 * The tracer and instruments of whatever SDK is registered now, or undefined for each while
 * none is: re-checked on every call (an SDK may be registered after the canceller is made),
 * built once per registered provider. @internal
 */
export class OtelBridge {
  private readonly noopTracerProvider: OtelTracerProvider;
  private readonly noopMeter: OtelMeter;
  private tracerFrom: OtelTracerProvider | undefined;
  private cachedTracer: OtelTracer | undefined;
  private meterFrom: OtelMeterProvider | undefined;
  private cachedInstruments: OtelInstruments | undefined;

  constructor(
    readonly api: OtelApi,
    private readonly version: string,
  ) {
    // A fresh proxy's delegate is the API's no-op provider (not exported by name).
    this.noopTracerProvider = new api.ProxyTracerProvider().getDelegate();
    this.noopMeter = api.createNoopMeter();
  }

  /** The tracer to start spans with, or undefined while no tracer provider is registered. */
  tracer(): OtelTracer | undefined {
    const provider = this.api.trace.getTracerProvider();
    const delegate =
      typeof (provider as Partial<OtelProxyTracerProvider>).getDelegate === 'function'
        ? (provider as OtelProxyTracerProvider).getDelegate()
        : provider;
    if (delegate !== this.tracerFrom) {
      this.tracerFrom = delegate;
      this.cachedTracer =
        delegate === this.noopTracerProvider ? undefined : this.api.trace.getTracer(SCOPE, this.version);
    }
    return this.cachedTracer;
  }

  /** The instruments to record to, or undefined while no meter provider is registered. */
  instruments(): OtelInstruments | undefined {
    const provider = this.api.metrics.getMeterProvider();
    if (provider !== this.meterFrom) {
      this.meterFrom = provider;
      const meter = provider.getMeter(SCOPE, this.version);
      this.cachedInstruments = meter === this.noopMeter ? undefined : createInstruments(meter);
    }
    return this.cachedInstruments;
  }
}

function createInstruments(meter: OtelMeter): OtelInstruments {
  return {
    attemptDuration: meter.createHistogram('rpc.client.duration', {
      description: 'Duration of each Operations RPC attempt',
      unit: 'ms',
    }),
    retries: meter.createCounter('lro_cancel.rpc.retries', {
      description: 'Retries of Operations RPCs, by the code of the attempt that failed',
    }),
    results: meter.createCounter('lro_cancel.cancel.results', {
      description: 'Cancels by service and outcome',
    }),
    resultDuration: meter.createHistogram('lro_cancel.cancel.duration', {
      description: 'Duration of each cancel, retries included, by service and outcome',
      unit: 'ms',
    }),
  };
}
