// `npm run demo` end to end in a child process (built or from sources, like the CLI tests):
// every seeded scenario must come out as expected, over loopback only.
import { cliModule, runNodeScript } from './helpers/spawn-cli';

test('the demo seeds all five services, cancels through the CLI path, and every outcome matches', async () => {
  // Four parts, 5,000 names among them: ~13 s on a quiet machine, far more under load.
  const r = await runNodeScript(`require(${JSON.stringify(cliModule('demo/run-demo'))})`, {}, 80_000);
  // stderr holds only the batch summary (no progress bar: it is not a TTY here).
  expect(r.stderr).toMatch(/^lro-cancel: 5000 records in [\d.]+s — /);
  expect(r.stderr).not.toMatch(/\r/);
  expect(r.stdout).toMatch(/^lro-cancel demo: Operations emulator on 127\.0\.0\.1:\d+ /);
  for (const service of ['datalineage', 'dataplex', 'privateca', 'datastore', 'discoveryengine']) {
    expect(r.stdout).toContain(`"service":"${service}","outcome":"cancel-requested"`);
  }
  for (const outcome of ['unsupported', 'not-found', 'denied', 'invalid-name', 'completed'])
    expect(r.stdout).toContain(`"outcome":"${outcome}"`);
  expect(r.stdout).toMatch(/\ndemo OK: all 13 outcomes match what was seeded/);
  // Part 2: the same names over --transport rest, every record equal to part 1's.
  expect(r.stdout).toMatch(/\n\$ lro-cancel cancel --emulator 127\.0\.0\.1:\d+ --transport rest /);
  expect(r.stdout).toMatch(/\ndemo part 2 OK: all 13 records over REST equal part 1's over gRPC/);
  expect(r.stdout).toMatch(/\ndemo part 3 OK: all 5000 records match what was seeded/);
  // Part 4: only what is older than an hour, on all five services; the younger ones left running.
  expect(r.stdout).toMatch(
    /\ndemo part 4 OK: 15 operations older than 1h cancelled, 10 younger ones left running/,
  );
  expect(r.stdout).toMatch(/left out: 2 not older than 1h/);
  expect(r.code).toBe(0);
}, 90_000);
