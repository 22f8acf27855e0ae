/**
 * One answer per name: the same operation gets the same outcome, code, name and service, and a
 * record with the same keys, whichever path asks — the library's cancelMany, the CLI's `cancel`,
 * `batch` and `cancel-all` — with and without --confirm, over gRPC and over REST. Table-driven
 * over every outcome the emulator can produce; the store is seeded afresh for each path, so each
 * path meets the same operations in the same states. Over the two transports the records are
 * identical whole (message, attempts and line included), latency fields aside.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { runCli } from '../../src/cli/run-cli';
import { Code } from '../../src/errors/status-code';
import type { OperationsEmulator } from '../../src/emulator';
import type { TransportKind } from '../../src/transport/operations-transport';
import type { OperationSeed } from '../../src/emulator/operation-store';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator({ rest: true });

interface Case {
  label: string;
  /** The name as the user gives it (full names: the paths take no --service). */
  input: string;
  seed?: Omit<OperationSeed, 'name'>;
  /** Expected without / with --confirm. */
  plain: Partial<BatchRecord>;
  confirmed: Partial<BatchRecord>;
  /** cancel-all lists only running operations of one parent: which cases it can meet. */
  listable?: boolean;
}

const DS = (id: string): string => `//datastore.googleapis.com/projects/p/operations/${id}`;
const CA = (id: string): string => `//privateca.googleapis.com/projects/p/locations/l/operations/${id}`;

const CASES: Case[] = [
  {
    label: 'running',
    input: DS('run'),
    seed: {},
    plain: { outcome: 'cancel-requested', code: 'OK' },
    confirmed: { outcome: 'cancelled', code: 'OK', finalCode: Code.CANCELLED },
    listable: true,
  },
  {
    label: 'completes despite the cancel',
    input: DS('despite'),
    seed: { onCancel: 'complete' },
    plain: { outcome: 'cancel-requested', code: 'OK' },
    confirmed: { outcome: 'completed', code: 'OK' },
    listable: true,
  },
  {
    label: 'unsupported',
    input: DS('unsup'),
    seed: { onCancel: 'unimplemented' },
    plain: { outcome: 'unsupported', code: 'UNIMPLEMENTED' },
    confirmed: { outcome: 'unsupported', code: 'UNIMPLEMENTED' },
    listable: true,
  },
  {
    label: 'already completed',
    input: DS('done-ok'),
    seed: { doneAs: 'completed' },
    plain: { outcome: 'completed', code: 'OK' },
    confirmed: { outcome: 'completed', code: 'OK' },
  },
  {
    label: 'already failed',
    input: DS('done-bad'),
    seed: { doneAs: 'failed' },
    plain: { outcome: 'failed', code: 'OK', finalCode: Code.INTERNAL },
    confirmed: { outcome: 'failed', code: 'OK', finalCode: Code.INTERNAL },
  },
  {
    label: 'already cancelled',
    input: DS('done-cx'),
    seed: { doneAs: 'cancelled' },
    plain: { outcome: 'cancelled', code: 'OK', finalCode: Code.CANCELLED },
    confirmed: { outcome: 'cancelled', code: 'OK', finalCode: Code.CANCELLED },
  },
  {
    label: 'not found',
    input: DS('missing'),
    plain: { outcome: 'not-found', code: 'NOT_FOUND' },
    confirmed: { outcome: 'not-found', code: 'NOT_FOUND' },
  },
  {
    label: 'invalid (server)',
    input: DS('srv-bad'),
    seed: { failTimes: 1, transientCode: Code.INVALID_ARGUMENT },
    plain: { outcome: 'invalid-name', code: 'INVALID_ARGUMENT' },
    confirmed: { outcome: 'invalid-name', code: 'INVALID_ARGUMENT' },
    listable: true,
  },
  {
    label: 'transient, attempts used up',
    input: DS('flaky'),
    seed: { failTimes: 10 },
    plain: { outcome: 'error', code: 'UNAVAILABLE' },
    confirmed: { outcome: 'error', code: 'UNAVAILABLE' },
    listable: true,
  },
  {
    label: 'invalid (local)',
    input: '//datastore.googleapis.com/projects/p/locations/l/operations/x',
    plain: { outcome: 'invalid-name', code: 'INVALID_ARGUMENT', attempts: 0 },
    confirmed: { outcome: 'invalid-name', code: 'INVALID_ARGUMENT', attempts: 0 },
  },
  {
    label: 'denied',
    input: CA('secret'),
    seed: {},
    plain: { outcome: 'denied', code: 'PERMISSION_DENIED' },
    confirmed: { outcome: 'denied', code: 'PERMISSION_DENIED' },
  },
];

function seedAll(e: OperationsEmulator): void {
  e.store.clear();
  e.clearFaults();
  e.setFaults('privateca', { denied: true });
  for (const c of CASES) {
    if (!c.seed) continue;
    const service = c.input.slice(2, c.input.indexOf('.'));
    const name = c.input.slice(c.input.indexOf('/', 2) + 1);
    e.store.seed({ name, service, ...c.seed });
  }
}

type Path = (inputs: string[], confirm: boolean, kind: TransportKind) => Promise<BatchRecord[]>;

const TRANSPORTS: readonly TransportKind[] = ['grpc', 'rest'];

/** The emulator's port for a transport: one store behind both. */
const target = (kind: TransportKind): string => (kind === 'grpc' ? emu.get().target : emu.get().restTarget);

const flags = (confirm: boolean, kind: TransportKind): string[] => [
  '--emulator',
  target(kind),
  '--transport',
  kind,
  '--max-attempts',
  '2',
  ...(confirm ? ['--confirm', '--confirm-timeout', '5s'] : []),
];

const PATHS: Record<string, Path> = {
  'library cancelMany': async (inputs, confirm, kind) => {
    const out: BatchRecord[] = [];
    for await (const r of cancelMany(inputs, {
      emulator: target(kind),
      transport: kind,
      retry: { maxAttempts: 2, initialDelayMs: 5 },
      ...(confirm ? { confirm: { confirmTimeoutMs: 5000 } } : {}),
    }))
      out.push(r);
    return out;
  },
  'CLI cancel': async (inputs, confirm, kind) => {
    const c = capture();
    await runCli(['cancel', ...flags(confirm, kind), ...inputs], c.io);
    return c.records<BatchRecord>();
  },
  'CLI batch': async (inputs, confirm, kind) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lro-one-answer-'));
    const file = path.join(dir, 'names.txt');
    writeFileSync(file, `${inputs.join('\n')}\n`);
    const c = capture();
    await runCli(['batch', '--input', file, '--quiet', ...flags(confirm, kind)], c.io);
    return c.records<BatchRecord>();
  },
};

/**
 * The parts of a record that must agree between paths (not timings, not where the name came from;
 * the decoded metadata's presence counts through `keys`, not its times, which differ per operation).
 */
function answer(r: BatchRecord): Record<string, unknown> {
  const {
    line: _line,
    latencyMs: _latency,
    confirmMs: _confirm,
    message: _message,
    metadata: _metadata,
    response: _response,
    ...rest
  } = r;
  return {
    ...rest,
    keys: Object.keys(r)
      .filter((k) => k !== 'line')
      .join(','),
  };
}

/**
 * A whole record but its latency fields and the times in its decoded metadata (each transport's
 * run seeds its own operations): what must agree between the transports on one path.
 */
function untimed(r: BatchRecord): Record<string, unknown> {
  const { latencyMs: _latency, confirmMs: _confirm, ...rest } = r;
  const out: Record<string, unknown> = { ...rest, keys: Object.keys(r).join(',') };
  if (rest.metadata !== undefined) out.metadata = withoutTimes(rest.metadata);
  return out;
}

/** A decoded message with every `...Time` field (at any depth) left out. */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !k.endsWith('Time'))
      .map(([k, v]) => [k, withoutTimes(v)]),
  );
}

/** A path's records in the table's order (batch and the library yield in completion order). */
function inTableOrder(recs: BatchRecord[]): BatchRecord[] {
  const byName = new Map(recs.map((r) => [r.name, r]));
  return CASES.map((c) => {
    const relative = c.input.slice(c.input.indexOf('/', 2) + 1);
    const rec = byName.get(relative) ?? byName.get(c.input);
    expect({ case: c.label, found: rec !== undefined }).toEqual({ case: c.label, found: true });
    return rec as BatchRecord;
  });
}

/** cancel-all's records per confirm setting and transport, for the comparison between transports. */
const cancelAllSeen: Record<string, Record<string, unknown> | undefined> = {};

describe.each([false, true])('confirm: %p', (confirm) => {
  test('every path over both transports gives every name the same answer, and the one the table expects', async () => {
    const inputs = CASES.map((c) => c.input);
    const byPath: Record<string, Record<string, unknown>[]> = {};
    const byTransport: Record<TransportKind, Record<string, Record<string, unknown>[]>> = {
      grpc: {},
      rest: {},
    };
    for (const kind of TRANSPORTS) {
      for (const [label, run] of Object.entries(PATHS)) {
        seedAll(emu.get());
        const restBefore = emu.get().restGateway?.requests.length ?? 0;
        const recs = await run(inputs, confirm, kind);
        // The REST runs really went over HTTP (and the gRPC runs did not).
        const restSent = (emu.get().restGateway?.requests.length ?? 0) - restBefore;
        expect({ kind, label, overHttp: restSent > 0 }).toEqual({ kind, label, overHttp: kind === 'rest' });
        expect(recs).toHaveLength(CASES.length);
        const ordered = inTableOrder(recs);
        for (const [i, c] of CASES.entries())
          expect({ kind, label, case: c.label, rec: ordered[i] }).toMatchObject({
            kind,
            label,
            case: c.label,
            rec: { kind: 'result', ...(confirm ? c.confirmed : c.plain) },
          });
        byPath[`${label} over ${kind}`] = ordered.map(answer);
        byTransport[kind][label] = ordered.map(untimed);
      }
    }
    const [first, ...rest] = Object.values(byPath);
    for (const other of rest) expect(other).toEqual(first);
    // Over REST exactly what over gRPC, record by record: message, attempts, line and key order too.
    expect(byTransport.rest).toEqual(byTransport.grpc);
  });

  test.each(TRANSPORTS)(
    'cancel-all over %s gives the operations it lists the same answers as the other paths',
    async (kind) => {
      const listable = CASES.filter((c) => c.listable);
      seedAll(emu.get());
      const all = capture();
      await runCli(
        ['cancel-all', 'projects/p', '--service', 'datastore', '--quiet', ...flags(confirm, kind)],
        all.io,
      );
      const fromCancelAll = new Map(all.records<BatchRecord>().map((r) => [r.name, answer(r)]));
      seedAll(emu.get());
      const viaCancel = await (PATHS['CLI cancel'] as Path)(
        listable.map((c) => c.input),
        confirm,
        kind,
      );
      expect(fromCancelAll.size).toBe(listable.length);
      for (const r of viaCancel) expect(fromCancelAll.get(r.name)).toEqual(answer(r));
      cancelAllSeen[`${confirm}`] ??= {};
      (cancelAllSeen[`${confirm}`] as Record<string, unknown>)[kind] = all
        .records<BatchRecord>()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(untimed);
    },
  );

  test('cancel-all: the same records over REST as over gRPC, latency fields aside', () => {
    const seen = cancelAllSeen[`${confirm}`] as Record<string, unknown>;
    expect(Object.keys(seen).sort()).toEqual(['grpc', 'rest']);
    expect(seen.rest).toEqual(seen.grpc);
  });
});
