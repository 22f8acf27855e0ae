import { codeName } from '../errors/status-code';
import { translateGrpcError } from '../errors/translate-grpc-error';
import { redactSecrets } from '../redaction/redact-secrets';
import type { Attempt, CallObserver, RetryContext } from '../retry/call-with-retry';
import type {
  AttemptEvent,
  Logger,
  ObservabilityHooks,
  ResultEvent,
  RetryEvent,
  RpcMethod,
} from './observability-types';
import { OtelBridge, otelApi } from './otel-bridge';

/*
 * One canceller's observers — its hooks, its logger, and OpenTelemetry when the application has
 * it — fed from the retry loop (each attempt and retry, whatever the transport) and from the
 * canceller (each cancel's result). When nothing listens, observe() returns undefined and the
 * call runs exactly as without it.
 */

/** What createTelemetry reads from the canceller's options. @internal */
export interface TelemetryOptions {
  hooks?: ObservabilityHooks | undefined;
  logger?: Logger | undefined;
  /** Record spans and metrics when @opentelemetry/api is present and an SDK is registered. Defaults to true. */
  openTelemetry?: boolean | undefined;
}

const RPC_SERVICE = 'google.longrunning.Operations';

/** The observers of one canceller, or undefined when it has none (no hooks, no logger, no OpenTelemetry API). @internal */
export function createTelemetry(options: TelemetryOptions, version: string): Telemetry | undefined {
  const hooks = options.hooks ?? {};
  const api = options.openTelemetry === false ? undefined : otelApi();
  const otel = api === undefined ? undefined : new OtelBridge(api, version);
  if (hooks.onAttempt === undefined && hooks.onRetry === undefined && hooks.onResult === undefined) {
    if (options.logger === undefined && otel === undefined) return undefined;
  }
  return new Telemetry(hooks, options.logger, otel);
}

/** `cancelOperation` → `CancelOperation`, as rpc.method names it. @internal */
export function rpcMethodOf(method: string): RpcMethod {
  return `${method.charAt(0).toUpperCase()}${method.slice(1)}` as RpcMethod;
}

/** One call's fixed facts, shared by its attempts. */
interface CallFacts {
  service: string;
  method: RpcMethod;
  operationName: string;
  serverAddress: string;
  attrs: Record<string, string | number>;
}

/** @internal */
export class Telemetry implements CallObserver {
  constructor(
    private readonly hooks: ObservabilityHooks,
    private readonly logger: Logger | undefined,
    private readonly otel: OtelBridge | undefined,
  ) {}

  observe<T>(attempt: Attempt<T>, ctx: RetryContext): { attempt: Attempt<T>; ctx: RetryContext } | undefined {
    const tracer = this.otel?.tracer();
    const instruments = this.otel?.instruments();
    const { hooks, logger } = this;
    if (
      tracer === undefined &&
      instruments === undefined &&
      logger === undefined &&
      hooks.onAttempt === undefined &&
      hooks.onRetry === undefined
    ) {
      return undefined;
    }
    const method = rpcMethodOf(ctx.method ?? 'unknown');
    const serverAddress = ctx.serverAddress ?? '';
    const facts: CallFacts = {
      service: ctx.service,
      method,
      operationName: ctx.operationName,
      serverAddress,
      attrs: {
        'rpc.system': 'grpc',
        'rpc.service': RPC_SERVICE,
        'rpc.method': method,
        'server.address': serverAddress,
        'lro_cancel.service': ctx.service,
      },
    };
    const spanName = `${RPC_SERVICE}/${method}`;
    let attemptNo = 0;
    const observed: Attempt<T> = (deadline) => {
      const n = ++attemptNo;
      const span = tracer?.startSpan(spanName, {
        kind: this.otel?.api.SpanKind.CLIENT ?? 2,
        attributes: {
          ...facts.attrs,
          'lro_cancel.operation_name': facts.operationName,
          'lro_cancel.attempt': n,
        },
      });
      const started = performance.now();
      let pending: Promise<T>;
      try {
        pending = attempt(deadline);
      } catch (e) {
        pending = Promise.reject(e);
      }
      return pending.then(
        (value) => {
          this.attemptEnded(facts, n, started, span, instruments, undefined);
          return value;
        },
        (raw: unknown) => {
          this.attemptEnded(facts, n, started, span, instruments, raw);
          throw raw;
        },
      );
    };
    const own = ctx.onRetry;
    const observedCtx: RetryContext = {
      ...ctx,
      onRetry: (err, retry, delayMs) => {
        own?.(err, retry, delayMs);
        const event: RetryEvent = {
          service: facts.service,
          method,
          operationName: facts.operationName,
          retry,
          code: err.code,
          codeName: err.codeName,
          delayMs,
        };
        instruments?.retries.add(1, {
          'lro_cancel.service': facts.service,
          'rpc.method': method,
          'rpc.grpc.status_code': err.code,
        });
        logger?.debug({ ...event }, 'lro-cancel retry');
        if (hooks.onRetry) this.safely('onRetry', hooks.onRetry, event);
      },
    };
    return { attempt: observed, ctx: observedCtx };
  }

  /** Whether anything listens for results now (else the canceller skips building them). */
  watchesResults(): boolean {
    return (
      this.hooks.onResult !== undefined || this.logger !== undefined || this.otel?.instruments() !== undefined
    );
  }

  /** Report one cancel's result (hooks, metrics, log). */
  result(event: ResultEvent): void {
    const instruments = this.otel?.instruments();
    if (instruments !== undefined) {
      const attrs = { 'lro_cancel.service': event.service, 'lro_cancel.outcome': event.outcome };
      instruments.results.add(1, attrs);
      instruments.resultDuration.record(event.latencyMs, attrs);
    }
    this.logger?.debug({ ...event }, 'lro-cancel result');
    if (this.hooks.onResult) this.safely('onResult', this.hooks.onResult, event);
  }

  private attemptEnded(
    facts: CallFacts,
    attempt: number,
    started: number,
    span:
      | {
          setAttribute(k: string, v: number): unknown;
          setStatus(s: { code: number; message?: string }): unknown;
          end(): void;
        }
      | undefined,
    instruments: ReturnType<OtelBridge['instruments']>,
    raw: unknown,
  ): void {
    const latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    // The message is the translated one: server text passes the redactor there.
    const err =
      raw === undefined
        ? undefined
        : translateGrpcError(raw, {
            operationName: facts.operationName,
            service: facts.service,
            attempts: attempt,
          });
    const code = err?.code ?? 0;
    if (span !== undefined) {
      span.setAttribute('rpc.grpc.status_code', code);
      // Only the code's name as the status message: server text stays out of traces.
      if (code !== 0)
        span.setStatus({ code: this.otel?.api.SpanStatusCode.ERROR ?? 2, message: codeName(code) });
      span.end();
    }
    instruments?.attemptDuration.record(latencyMs, { ...facts.attrs, 'rpc.grpc.status_code': code });
    const { hooks, logger } = this;
    if (hooks.onAttempt === undefined && logger === undefined) return;
    const event: AttemptEvent = {
      service: facts.service,
      method: facts.method,
      operationName: facts.operationName,
      attempt,
      code,
      codeName: codeName(code),
      latencyMs,
      serverAddress: facts.serverAddress,
    };
    if (err !== undefined) event.message = err.message;
    logger?.debug({ ...event }, 'lro-cancel attempt');
    if (hooks.onAttempt) this.safely('onAttempt', hooks.onAttempt, event);
  }

  /** Call a hook; one that throws is reported to the logger, never to the call. */
  private safely<E>(name: string, hook: (event: E) => void, event: E): void {
    try {
      hook(event);
    } catch (e) {
      this.logger?.warn(
        { hook: name, error: redactSecrets(String(e)) },
        'lro-cancel: an observability hook threw',
      );
    }
  }
}
