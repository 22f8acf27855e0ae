/**
 * Every CLI command that calls a service, with `--transport rest` against the emulator's REST
 * port: each one prints lines that validate against the shipped records schema, sends the HTTP
 * requests the googleapis rules name (and no gRPC call), and prints what the same command prints
 * over gRPC — same exit code, same lines, latency fields aside. One table; the store is seeded
 * afresh before each run, so both transports meet the same operations in the same states.
 */
import Ajv2020 from 'ajv/dist/2020';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { recordsSchema } from '../../src';
import { runCli } from '../../src/cli/run-cli';
import type { RestRequest } from '../../src/emulator';
import type { TransportKind } from '../../src/transport/operations-transport';
import { capture } from '../cli/helpers/capture';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator({ rest: true });
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(recordsSchema);

const DS = 'projects/p/operations';

function seed(): void {
  const e = emu.get();
  e.store.clear();
  e.clearFaults();
  e.calls.length = 0;
  if (e.restGateway) e.restGateway.requests.length = 0;
  e.store.seed({ name: `${DS}/run`, service: 'datastore' });
  e.store.seed({ name: `${DS}/slow`, service: 'datastore', settleMs: 120 });
  e.store.seed({ name: `${DS}/done`, service: 'datastore', doneAs: 'failed' });
  e.store.seed({ name: `${DS}/ok`, service: 'datastore', doneAs: 'completed' });
  e.store.seed({ name: `${DS}/unsup`, service: 'datastore', onCancel: 'unimplemented' });
  e.store.seed({ name: `${DS}/flaky`, service: 'datastore', failTimes: 1 });
  for (let i = 0; i < 5; i++) e.store.seed({ name: `${DS}/r${i}`, service: 'datastore' });
}

const NAMES = [`${DS}/run`, `${DS}/done`, `${DS}/unsup`, `${DS}/flaky`, `${DS}/missing`, 'not a name'];

interface Run {
  code: number;
  lines: Record<string, unknown>[];
  requests: RestRequest[];
  grpcCalls: number;
}

async function run(argv: string[], kind: TransportKind): Promise<Run> {
  seed();
  const e = emu.get();
  const c = capture();
  const target = kind === 'rest' ? e.restTarget : e.target;
  const code = await runCli([...argv, '--emulator', target, '--transport', kind], c.io);
  const lines = c.records();
  for (const line of lines)
    if (!validate(line))
      throw new Error(
        `${JSON.stringify(line)}\n  does not match the schema: ${JSON.stringify(validate.errors)}`,
      );
  return {
    code,
    lines,
    requests: [...(e.restGateway?.requests ?? [])],
    // Over REST the gateway answers through the same call log; count what came in over gRPC.
    grpcCalls: kind === 'grpc' ? e.calls.length : 0,
  };
}

/**
 * A line with its latency fields out: what must agree between the transports. An operation's
 * metadata keeps its type only: the emulator's metadata carries the seeding time, and each
 * transport's run seeds its own.
 */
function untimed(line: Record<string, unknown>): Record<string, unknown> {
  const { latencyMs: _l, confirmMs: _c, watchedMs: _w, ...rest } = line;
  const m = rest.metadata as Record<string, unknown> | undefined;
  if (m) rest.metadata = { '@type': m['@type'] };
  // The normalised view carries the seeding times too (each transport's run seeds its own).
  const n = rest.normalized as Record<string, unknown> | undefined;
  if (n) {
    const { createTime: _ct, endTime: _et, ...kept } = n;
    rest.normalized = kept;
  }
  return rest;
}

/** batch and cancel-all print in completion order: compare by name. */
const byName = (lines: Record<string, unknown>[]): Record<string, unknown>[] =>
  [...lines].map(untimed).sort((a, b) => String(a.name).localeCompare(String(b.name)));

const journalDir = mkdtempSync(path.join(tmpdir(), 'lro-cli-rest-'));
const inputFile = path.join(journalDir, 'names.txt');
writeFileSync(inputFile, `${['# a comment', ...NAMES].join('\n')}\n`);

const posts = (r: Run): string[] => r.requests.filter((q) => q.verb === 'POST').map((q) => q.path);
const gets = (r: Run): string[] => r.requests.filter((q) => q.verb === 'GET').map((q) => q.path);

interface Case {
  label: string;
  argv: (kind: TransportKind) => string[];
  code: number;
  kinds: string[];
  /** What the REST run sent and printed, beyond matching gRPC. */
  check: (r: Run) => void;
  ordered?: boolean;
}

const CASES: Case[] = [
  {
    label: 'cancel',
    argv: () => ['cancel', '--service', 'datastore', '--max-attempts', '2', ...NAMES],
    code: 1,
    kinds: ['result'],
    ordered: true,
    check: (r) => {
      expect(r.lines.map((l) => l.outcome)).toEqual([
        'cancel-requested',
        'failed',
        'unsupported',
        'cancel-requested',
        'not-found',
        'invalid-name',
      ]);
      // Datastore's rule has no body: a POST with none, on v1's :cancel route.
      expect(posts(r)).toContain(`/v1/${DS}/run:cancel`);
      expect(r.requests.filter((q) => q.verb === 'POST').every((q) => q.body === '')).toBe(true);
    },
  },
  {
    label: 'cancel --confirm (polls GetOperation over REST)',
    argv: () => ['cancel', '--service', 'datastore', '--confirm', '--confirm-timeout', '10s', `${DS}/slow`],
    code: 0,
    kinds: ['result'],
    ordered: true,
    check: (r) => {
      expect(r.lines).toEqual([expect.objectContaining({ outcome: 'cancelled', finalCode: 1 })]);
      expect(gets(r)).toContain(`/v1/${DS}/slow`);
      expect(r.requests.some((q) => q.path.includes(':wait'))).toBe(false);
    },
  },
  {
    label: 'batch with a journal',
    argv: (kind) => [
      'batch',
      '--input',
      inputFile,
      '--journal',
      path.join(journalDir, `journal-${kind}.ndjson`),
      '--service',
      'datastore',
      '--max-attempts',
      '2',
      '--quiet',
    ],
    code: 1,
    kinds: ['result'],
    check: (r) => {
      expect(r.lines).toHaveLength(NAMES.length);
      expect(r.lines.find((l) => l.name === 'not a name')).toMatchObject({
        outcome: 'invalid-name',
        line: 7,
      });
      const journal = readFileSync(path.join(journalDir, 'journal-rest.ndjson'), 'utf8').trim().split('\n');
      expect(journal.length).toBeGreaterThanOrEqual(NAMES.length - 1);
      for (const l of journal) expect(validate(JSON.parse(l))).toBe(true);
      expect(posts(r).length).toBeGreaterThanOrEqual(5);
    },
  },
  {
    label: 'cancel-all --dry-run',
    argv: () => ['cancel-all', 'projects/p', '--service', 'datastore', '--dry-run', '--quiet'],
    code: 0,
    kinds: ['would-cancel'],
    check: (r) => {
      // The running ones (the two done ones are not listed); nothing cancelled.
      expect(r.lines).toHaveLength(9);
      expect(posts(r)).toEqual([]);
      expect(gets(r).every((p) => p.startsWith('/v1/projects/p/operations?'))).toBe(true);
      expect(emu.get().store.get(`${DS}/run`)?.cancelRequests).toBe(0);
    },
  },
  {
    label: 'cancel-all',
    argv: () => ['cancel-all', 'projects/p', '--service', 'datastore', '--max-attempts', '2', '--quiet'],
    code: 1,
    kinds: ['result'],
    check: (r) => {
      expect(r.lines).toHaveLength(9);
      expect(r.lines.filter((l) => l.outcome === 'cancel-requested')).toHaveLength(8);
      expect(r.lines.find((l) => l.name === `${DS}/unsup`)).toMatchObject({ outcome: 'unsupported' });
      expect(posts(r)).toHaveLength(10);
    },
  },
  {
    label: 'watch (polls GetOperation over REST; WaitOperation has no HTTP rule)',
    argv: () => ['watch', '--service', 'datastore', `${DS}/run`, `${DS}/ok`, '--cancel-after', '300ms'],
    code: 0,
    kinds: ['watch'],
    check: (r) => {
      const ended = Object.fromEntries(r.lines.map((l) => [l.name, l]));
      expect(ended[`${DS}/ok`]).toMatchObject({ ending: 'done-in-time', cancelSent: false });
      expect(ended[`${DS}/run`]).toMatchObject({ ending: 'cancelled-at-budget', state: 'cancelled' });
      expect(gets(r)).toContain(`/v1/${DS}/run`);
      expect(posts(r)).toEqual([`/v1/${DS}/run:cancel`]);
      expect(r.requests.some((q) => q.path.includes(':wait'))).toBe(false);
    },
  },
  {
    label: 'get',
    argv: () => ['get', '--service', 'datastore', `${DS}/ok`, `${DS}/done`, `${DS}/missing`],
    code: 1,
    kinds: ['operation', 'result'],
    ordered: true,
    check: (r) => {
      expect(r.lines.map((l) => [l.kind, l.name])).toEqual([
        ['operation', `${DS}/ok`],
        ['operation', `${DS}/done`],
        ['result', `${DS}/missing`],
      ]);
      expect(r.lines[2]).toMatchObject({ outcome: 'not-found', code: 'NOT_FOUND' });
      expect(gets(r)).toEqual([`/v1/${DS}/ok`, `/v1/${DS}/done`, `/v1/${DS}/missing`]);
    },
  },
  {
    label: 'list, paging through a filter',
    argv: () => [
      'list',
      'projects/p',
      '--service',
      'datastore',
      '--filter',
      'done=false',
      '--page-size',
      '3',
    ],
    code: 0,
    kinds: ['operation'],
    ordered: true,
    check: (r) => {
      expect(r.lines).toHaveLength(9);
      expect(r.lines.every((l) => l.done === false)).toBe(true);
      const pages = gets(r);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const p of pages) {
        const q = new URL(p, 'http://x').searchParams;
        expect([q.get('filter'), q.get('pageSize')]).toEqual(['done=false', '3']);
      }
      expect(pages.slice(1).every((p) => new URL(p, 'http://x').searchParams.get('pageToken'))).toBe(true);
    },
  },
];

test.each(CASES)('$label over --transport rest: the gRPC answer, over HTTP', async (c) => {
  const grpc = await run(c.argv('grpc'), 'grpc');
  const rest = await run(c.argv('rest'), 'rest');
  expect(grpc.requests).toEqual([]);
  expect(grpc.grpcCalls).toBeGreaterThan(0);
  expect(rest.requests.length).toBeGreaterThan(0);
  expect([rest.code, grpc.code]).toEqual([c.code, c.code]);
  for (const line of rest.lines) expect(c.kinds).toContain(line.kind);
  c.check(rest);
  if (c.ordered) expect(rest.lines.map(untimed)).toEqual(grpc.lines.map(untimed));
  else expect(byName(rest.lines)).toEqual(byName(grpc.lines));
});
