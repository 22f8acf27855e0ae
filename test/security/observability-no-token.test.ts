// Nothing the observability options see carries a credential: over TLS with an injected token
// (which the emulator really receives), through retries, denials and server messages that echo
// the token, every hook event, every span (attributes, status, events), every metric data point
// and every line a real pino logger wrote holds neither the token nor an authorization header.
import { Writable } from 'node:stream';
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { Code, cancelMany, createCanceller, type AuthClientLike } from '../../src';
import { startOperationsEmulator, type OperationsEmulator } from '../../src/emulator';
import { makeTlsFiles } from './helpers/tls-fixture';

jest.setTimeout(30_000);

const TOKEN = 'FAKE-obs-t0ken-7e3a91c5d2';
const ECHO = `upstream said: bad header authorization: Bearer ${TOKEN}`;
const N = (id: string): string => `projects/p/operations/obs-${id}`;

class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

let tls: Awaited<ReturnType<typeof makeTlsFiles>>;
let emu: OperationsEmulator;
beforeAll(async () => {
  tls = await makeTlsFiles();
  emu = await startOperationsEmulator({ tls: { cert: tls.cert, key: tls.key } });
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await emu?.stop();
});

test('hooks, spans, metrics and pino logs never hold the token or an authorization header', async () => {
  emu.store.seed({ name: N('ok') });
  emu.store.seed({ name: N('flaky'), failTimes: 2, transientMessage: ECHO });
  emu.store.seed({
    name: N('denied'),
    failTimes: 1,
    transientCode: Code.UNAUTHENTICATED,
    transientMessage: ECHO,
  });
  emu.store.seed({ name: N('done'), doneAs: 'completed' });
  emu.setFaults('*', {
    errorRate: 1,
    errorMethods: ['GetOperation'],
    errorCode: Code.INTERNAL,
    errorMessage: ECHO,
  });

  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  const reader = new CollectingReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  const logLines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  const events: unknown[] = [];
  const hooks = {
    onAttempt: (e: unknown) => events.push(e),
    onRetry: (e: unknown) => events.push(e),
    onResult: (e: unknown) => events.push(e),
  };
  const auth: AuthClientLike = { getRequestHeaders: async () => ({ authorization: `Bearer ${TOKEN}` }) };
  const options = {
    emulator: null,
    endpoint: `localhost:${emu.port}`,
    rootCerts: tls.cert,
    auth,
    service: 'datastore',
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    hooks,
    logger,
  };
  const c = createCanceller(options);
  try {
    await c.cancel(N('ok'));
    await c.cancel(N('flaky'));
    await expect(c.cancel(N('denied'))).rejects.toMatchObject({ outcome: 'denied' });
    await c.cancel(N('done')).catch(() => undefined); // the read-back fails (INTERNAL, echoing the token)
    await expect(c.getOperation(N('ok'))).rejects.toMatchObject({ code: Code.INTERNAL });
  } finally {
    await c.close();
  }
  for await (const _ of cancelMany([N('ok'), N('missing')], options)) {
    // drain
  }

  // The token really was sent, and the echoing paths ran (so redaction had something to do).
  expect(emu.calls.some((call) => call.authorization === `Bearer ${TOKEN}`)).toBe(true);
  const spans = exporter.getFinishedSpans();
  const { resourceMetrics } = await reader.collect();
  expect(spans.length).toBeGreaterThanOrEqual(8);
  expect(events.length).toBeGreaterThanOrEqual(12);
  expect(logLines.length).toBeGreaterThanOrEqual(12);
  expect(logLines.join('')).toContain('[redacted]');

  const seen = {
    hooks: JSON.stringify(events),
    spans: JSON.stringify(
      spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })),
    ),
    metrics: JSON.stringify(resourceMetrics.scopeMetrics),
    logs: logLines.join(''),
  };
  for (const [where, text] of Object.entries(seen)) {
    expect({ where, hasToken: text.includes(TOKEN) }).toEqual({ where, hasToken: false });
    expect({ where, bearer: /bearer\s+[A-Za-z0-9]/i.test(text) }).toEqual({ where, bearer: false });
    expect({ where, header: /"authorization"/i.test(text) }).toEqual({ where, header: false });
  }
});
