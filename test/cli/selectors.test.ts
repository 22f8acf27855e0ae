// --older-than, --kind and --target on list and cancel-all, against each built-in service's own
// metadata as the emulator sends it (seeded with ages). An operation whose metadata lacks the
// field a selector needs is left out, and stderr says how many and why.
import { runCli } from '../../src/cli/run-cli';
import { sampleOperationName } from '../../src/emulator/sample-names';
import { services } from '../../src/registry/service-registry';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();
const HOUR = 3_600_000;

/** The normalised kind and whether a target is reported, per service (README table). */
const SERVICES: Record<string, { kind: string; hasTarget: boolean; type: string }> = {
  datalineage: { kind: 'delete', hasTarget: true, type: 'OperationMetadata' },
  dataplex: { kind: 'create', hasTarget: true, type: 'google.cloud.dataplex.v1.OperationMetadata' },
  privateca: { kind: 'create', hasTarget: true, type: 'OperationMetadata' },
  datastore: { kind: 'export-entities', hasTarget: true, type: 'ExportEntitiesMetadata' },
  discoveryengine: { kind: 'import-documents', hasTarget: false, type: 'ImportDocumentsMetadata' },
};

interface Line {
  kind: string;
  name: string;
  normalized?: { createTime?: string; kind?: string; target?: string };
}

/** Seed an old (2 h) and a young (1 min) operation of `id` under one parent; return the parent and names. */
function seedAges(id: string): { parent: string; old: string; young: string } {
  const service = services[id] as never;
  const old = sampleOperationName(service, 'old-op');
  const young = sampleOperationName(service, 'young-op');
  const now = Date.now();
  emu.get().store.seed({ name: old, service: id, createdAt: now - 2 * HOUR });
  emu.get().store.seed({ name: young, service: id, createdAt: now - 60_000 });
  return { parent: old.slice(0, old.lastIndexOf('/operations/')), old, young };
}

async function run(argv: string[]): Promise<{ code: number; lines: Line[]; stderr: string }> {
  const c = capture();
  const code = await runCli([...argv, '--emulator', emu.get().target], c.io);
  return { code, lines: c.records<Line>(), stderr: c.stderr() };
}

describe.each(Object.keys(SERVICES))('%s', (id) => {
  const expected = SERVICES[id] as (typeof SERVICES)[string];

  test('--older-than 1h: cancel-all --dry-run and list keep only the old operation', async () => {
    const { parent, old } = seedAges(id);
    const dry = await run(['cancel-all', parent, '--service', id, '--older-than', '1h', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.lines.map((l) => [l.kind, l.name])).toEqual([['would-cancel', old]]);
    const created = Date.parse(dry.lines[0]?.normalized?.createTime ?? '');
    expect(Math.abs(Date.now() - 2 * HOUR - created)).toBeLessThan(60_000);
    expect(dry.stderr).toMatch(/1 operation\(s\) would be cancelled; 1 left out: 1 not older than 1h/);
    const listed = await run(['list', parent, '--service', id, '--older-than', '90m']);
    expect(listed.lines.map((l) => l.name)).toEqual([old]);
    expect(listed.stderr).toMatch(/1 operation\(s\) left out: 1 not older than 90m/);
    // Nothing was cancelled by the dry run.
    expect(emu.get().calls.filter((c) => c.method === 'CancelOperation')).toHaveLength(0);
  });

  test('--kind: its normalised kind and its metadata type select both; another kind none', async () => {
    const { parent, old, young } = seedAges(id);
    for (const kind of [expected.kind, expected.kind.toUpperCase(), expected.type]) {
      const listed = await run(['list', parent, '--service', id, '--kind', kind]);
      expect(listed.lines.map((l) => l.name).sort()).toEqual([old, young].sort());
      expect(listed.lines[0]?.normalized?.kind).toBe(expected.kind);
    }
    const none = await run(['cancel-all', parent, '--service', id, '--kind', 'purge-documents', '--dry-run']);
    expect(none.lines).toEqual([]);
    expect(none.stderr).toMatch(
      /0 operation\(s\) would be cancelled; 2 left out: 2 not of kind purge-documents/,
    );
  });

  test('--target: matched by glob where the service reports a target, left out (and said why) where not', async () => {
    const { parent, old, young } = seedAges(id);
    const listed = await run(['list', parent, '--service', id, '--target', '*']);
    if (expected.hasTarget) {
      expect(listed.lines.map((l) => l.name).sort()).toEqual([old, young].sort());
      const target = listed.lines[0]?.normalized?.target as string;
      const exact = await run(['list', parent, '--service', id, '--target', target]);
      expect(exact.lines.length).toBeGreaterThan(0);
      const other = await run(['list', parent, '--service', id, '--target', 'nothing/like/*/this']);
      expect(other.lines).toEqual([]);
      expect(other.stderr).toMatch(/2 whose target does not match nothing\/like\/\*\/this/);
    } else {
      expect(listed.lines).toEqual([]);
      expect(listed.stderr).toMatch(/2 operation\(s\) left out: 2 without a target for --target/);
    }
  });
});

test('cancel-all --older-than cancels only the old operations, and the selectors combine', async () => {
  const { parent, old, young } = seedAges('datastore');
  const r = await run([
    'cancel-all',
    parent,
    '--service',
    'datastore',
    '--older-than',
    '1h',
    '--kind',
    'export-entities',
    '--target',
    'gs://demo-bucket/*',
    '--confirm',
  ]);
  expect(r.code).toBe(0);
  expect(r.lines.map((l) => [l.kind, l.name])).toEqual([['result', old]]);
  expect(r.stderr).toMatch(/1 selected; 1 left out: 1 not older than 1h/);
  expect(emu.get().store.get(old, 'datastore')?.done).toBe(true);
  expect(emu.get().store.get(young, 'datastore')?.done).toBe(false);
});

test('an operation whose metadata is of a type lro-cancel does not know has no create time: left out by --older-than', async () => {
  const mine = { type_url: 'type.googleapis.com/my.Meta', value: Buffer.from([8, 1]) };
  emu.get().store.seed({
    name: 'projects/p/operations/opaque',
    service: 'datastore',
    metadata: mine,
    createdAt: Date.now() - 5 * HOUR,
  });
  const r = await run([
    'cancel-all',
    'projects/p',
    '--service',
    'datastore',
    '--older-than',
    '1h',
    '--dry-run',
  ]);
  expect(r.lines).toEqual([]);
  expect(r.stderr).toMatch(/1 left out: 1 without a create time for --older-than/);
  // Its kind is still its metadata type.
  const byType = await run(['list', 'projects/p', '--service', 'datastore', '--kind', 'my.Meta']);
  expect(byType.lines.map((l) => l.name)).toEqual(['projects/p/operations/opaque']);
});

test('--older-than takes days and refuses a bare number, before any call', async () => {
  const r = await run(['list', 'projects/p', '--service', 'datastore', '--older-than', '3']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--older-than: "3" is not a duration.*add a unit/);
  expect(emu.get().calls).toHaveLength(0);
  const days = await run(['list', 'projects/p', '--service', 'datastore', '--older-than', '7d']);
  expect(days.code).toBe(0);
});

test('a parent without --service that several services take: listed on each, one run cancels what matches across them', async () => {
  const e = emu.get();
  const parent = 'projects/demo-project/locations/us-central1';
  const now = Date.now();
  const ids = ['datalineage', 'dataplex', 'privateca'];
  for (const id of ids) {
    e.store.seed({ name: `${parent}/operations/old-${id}`, service: id, createdAt: now - 2 * HOUR });
    e.store.seed({ name: `${parent}/operations/young-${id}`, service: id, createdAt: now - 60_000 });
  }
  // Not under this parent's shape for datastore: never listed.
  e.store.seed({
    name: 'projects/demo-project/operations/old-ds',
    service: 'datastore',
    createdAt: now - 2 * HOUR,
  });
  const listed = await run(['list', parent]);
  expect(listed.code).toBe(0);
  expect(listed.lines).toHaveLength(6);
  expect(new Set(listed.lines.map((l) => (l as unknown as { service: string }).service))).toEqual(
    new Set(ids),
  );
  const dry = await run(['cancel-all', parent, '--older-than', '1h', '--dry-run']);
  expect(dry.lines.map((l) => l.name).sort()).toEqual(
    ids.map((id) => `${parent}/operations/old-${id}`).sort(),
  );
  expect(dry.stderr).toMatch(/3 operation\(s\) would be cancelled; 3 left out: 3 not older than 1h/);
  const real = await run(['cancel-all', parent, '--older-than', '1h', '--quiet']);
  expect(real.code).toBe(0);
  for (const id of ids) {
    expect(e.store.get(`${parent}/operations/old-${id}`, id)?.done).toBe(true);
    expect(e.store.get(`${parent}/operations/young-${id}`, id)?.done).toBe(false);
  }
  expect(e.store.get('projects/demo-project/operations/old-ds', 'datastore')?.done).toBe(false);
  // Every service that takes the parent was listed, each on its own channel (Discovery Engine too, empty here).
  expect(new Set(e.calls.filter((c) => c.method === 'ListOperations').map((c) => c.service))).toEqual(
    new Set([...ids, 'discoveryengine']),
  );
});

test('a parent without --service that one service alone takes (organizations/o/locations/l: Dataplex) is listed there, like one that several take', async () => {
  const e = emu.get();
  const parent = 'organizations/solo-org/locations/global';
  e.store.seed({ name: `${parent}/operations/org-op`, service: 'dataplex' });
  e.store.seed({ name: 'projects/solo-project/locations/global/operations/o', service: 'dataplex' });
  const listed = await run(['list', parent]);
  expect(listed.code).toBe(0);
  expect(listed.lines.map((l) => [l.name, (l as unknown as { service: string }).service])).toEqual([
    [`${parent}/operations/org-op`, 'dataplex'],
  ]);
  expect(e.calls.filter((c) => c.method === 'ListOperations').map((c) => c.service)).toEqual(['dataplex']);
  const real = await run(['cancel-all', parent, '--quiet']);
  expect(real.code).toBe(0);
  expect(e.store.get(`${parent}/operations/org-op`, 'dataplex')?.done).toBe(true);
  expect(e.store.get('projects/solo-project/locations/global/operations/o', 'dataplex')?.done).toBe(false);
});

test('the emulator seed file takes age=DURATION: the operation was created that long ago', async () => {
  const { parseSeedLine } = await import('../../src/cli/emulator-flags');
  const seed = parseSeedLine('//datastore.googleapis.com/projects/p/operations/aged age=3d') as {
    createdAt?: number;
  };
  expect(Math.abs(Date.now() - 3 * 24 * HOUR - (seed.createdAt ?? 0))).toBeLessThan(60_000);
  expect(parseSeedLine('projects/p/operations/x age=10')).toEqual({
    error: expect.stringMatching(/^age: .*add a unit/),
  });
});
