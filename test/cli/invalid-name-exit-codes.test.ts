// One rule for a name or parent that does not parse, whatever the command (README "Exit codes"):
// commands that take names (cancel, get, batch) give that name an `invalid-name` record, run the
// others, and exit 1; commands whose whole input is one parent (list, cancel-all) exit 2, a usage
// error with one line on stderr. Every message carries the hint. Real emulator on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/run-cli';
import { useEmulator } from '../helpers/emulator';
import { capture } from './helpers/capture';

const emu = useEmulator();
const GOOD = '//datastore.googleapis.com/projects/p/operations/good';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lro-invalid-name-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  emu.get().store.seed({ name: 'projects/p/operations/good', service: 'datastore' });
});

// Each mistake: the extra flags, the bad operation name, the bad parent, and the hint's text.
const MISTAKES = [
  {
    what: 'a relative name without --service',
    flags: [] as string[],
    name: 'projects/p/operations/o',
    // A parent no built-in service takes (one that one or several take is listed on each of them).
    parent: 'projects/p/zones/z',
    hint: /no service given; datastore.*"\/\/datastore\.googleapis\.com\/projects\/p(\/operations\/o)?"/,
    parentHint:
      /no service given, and no built-in service takes a parent of this shape: they take .*--service HOST/,
  },
  {
    what: 'a name the given service does not take',
    flags: ['--service', 'dataplex'],
    name: 'projects/p/operations/o',
    parent: 'projects/p',
    hint: /dataplex expects .*; datastore.* takes? it: "\/\/datastore\.googleapis\.com\/projects\/p(\/operations\/o)?"/,
  },
  {
    what: 'a REST URL',
    flags: [] as string[],
    name: 'https://datastore.googleapis.com/v1/projects/p/operations/o:cancel',
    parent: 'https://datastore.googleapis.com/v1/projects/p/operations',
    hint: /a URL is not an operation name: did you mean "\/\/datastore\.googleapis\.com\/projects\/p(\/operations\/o)?"/,
  },
];

describe.each(MISTAKES)('$what', ({ flags, name, parent, hint, parentHint }) => {
  const connect = (): string[] => ['--emulator', emu.get().target, ...flags];

  test.each(['cancel', 'get'])(
    '%s: an invalid-name record for it, the good name still runs, exit 1',
    async (command) => {
      const c = capture();
      const code = await runCli([command, ...connect(), name, GOOD], c.io);
      const [bad, good] = c.records<{ name: string; outcome?: string; message?: string; done?: boolean }>();
      expect(bad).toMatchObject({ name, outcome: 'invalid-name' });
      expect(bad?.message).toMatch(hint);
      // cancel prints its record, get the operation it read
      expect(good).toMatchObject(
        command === 'cancel'
          ? { name: 'projects/p/operations/good', outcome: 'cancel-requested' }
          : { name: 'projects/p/operations/good', done: false },
      );
      expect(c.stderr()).toBe('');
      expect(code).toBe(1);
    },
  );

  test('batch: an invalid-name record for its line, the good line still runs, exit 1', async () => {
    const input = path.join(dir, 'names.txt');
    writeFileSync(input, `${name}\n${GOOD}\n`);
    const c = capture();
    const code = await runCli(['batch', ...connect(), '--quiet', '--input', input], c.io);
    const records = c
      .records<{ line: number; outcome: string; message?: string }>()
      .sort((a, b) => a.line - b.line);
    expect(records.map((r) => [r.line, r.outcome])).toEqual([
      [1, 'invalid-name'],
      [2, 'cancel-requested'],
    ]);
    expect(records[0]?.message).toMatch(hint);
    expect(code).toBe(1);
  });

  test.each(['list', 'cancel-all'])(
    '%s: a usage error, one line on stderr with the hint, nothing sent, exit 2',
    async (command) => {
      const c = capture();
      const code = await runCli([command, ...connect(), parent], c.io);
      expect(c.stdout()).toBe('');
      const lines = c.stderr().trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(parentHint ?? hint);
      expect(emu.get().calls).toHaveLength(0);
      expect(code).toBe(2);
    },
  );
});
