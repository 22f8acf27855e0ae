// GOOGLE_CLOUD_UNIVERSE_DOMAIN picks the host a built-in service connects to: `<id>.<universe>`.
// Shown end to end in child processes (the real CLI, and the library with no options): the
// loopback-only guard preloaded there refuses the DNS lookup and names the host that was
// chosen, so the test sees the resolved endpoint without any network.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { services } from '../../src';
import { resolveEndpoint } from '../../src/transport/endpoint';
import { cliModule, runCliProcess, runNodeScript } from '../cli/helpers/spawn-cli';
import { startFakeSts } from '../security/helpers/tls-fixture';

jest.setTimeout(30_000);
const UNIVERSE = 'example-universe.com';
const NAME = 'projects/p/locations/l/operations/o';
/** One quick attempt: the lookup is refused at once, nothing to wait for. */
const QUICK = ['--max-attempts', '1', '--timeout', '5s'];

let sts: Awaited<ReturnType<typeof startFakeSts>>;
let adc: Record<string, string>;
beforeAll(async () => {
  // Real ADC on loopback, so credentials are not what fails first.
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-universe-'));
  sts = await startFakeSts(dir, 'FAKE-universe-token-5a4b', 'FAKE.universe.jwt');
  adc = { GOOGLE_APPLICATION_CREDENTIALS: sts.adcFile, GOOGLE_CLOUD_PROJECT: 'p', HOME: dir };
});
afterAll(async () => {
  await sts?.close();
});

/** The hosts the guard refused to look up, from a child's stderr. */
function refusedLookups(stderr: string): string[] {
  return [
    ...new Set(
      [...stderr.matchAll(/refused DNS \w+ to non-loopback host "([^"]+)"/g)].map((m) => m[1] as string),
    ),
  ];
}

test('resolveEndpoint: every built-in service moves to <id>.<universe>:443 over TLS', () => {
  for (const svc of Object.values(services)) {
    const e = resolveEndpoint(svc, { universeDomain: UNIVERSE });
    expect(e).toEqual({
      address: `${svc.host.replace(/googleapis\.com$/, UNIVERSE)}:443`,
      host: svc.host.replace(/googleapis\.com$/, UNIVERSE),
      port: 443,
      secure: true,
    });
    expect(e.host.endsWith(`.${UNIVERSE}`)).toBe(true);
  }
});

test('the CLI with GOOGLE_CLOUD_UNIVERSE_DOMAIN set connects to dataplex.<universe>, and without it to dataplex.googleapis.com', async () => {
  const [inUniverse, fullName, plain] = await Promise.all([
    runCliProcess(['cancel', '--service', 'dataplex', ...QUICK, NAME], {
      ...adc,
      GOOGLE_CLOUD_UNIVERSE_DOMAIN: UNIVERSE,
    }),
    // A full name on the universe's host is the built-in service there, not a foreign host.
    runCliProcess(['cancel', ...QUICK, `//dataplex.${UNIVERSE}/${NAME}`], {
      ...adc,
      GOOGLE_CLOUD_UNIVERSE_DOMAIN: UNIVERSE,
    }),
    runCliProcess(['cancel', '--service', 'dataplex', ...QUICK, NAME], adc),
  ]);
  expect(refusedLookups(inUniverse.stderr)).toEqual([`dataplex.${UNIVERSE}`]);
  expect(refusedLookups(fullName.stderr)).toEqual([`dataplex.${UNIVERSE}`]);
  expect(refusedLookups(plain.stderr)).toEqual(['dataplex.googleapis.com']);
  for (const r of [inUniverse, fullName, plain]) {
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({
      service: 'dataplex',
      outcome: 'error',
      code: 'UNAVAILABLE',
    });
  }
});

test('the library (createCanceller with no options) takes the universe from the environment too', async () => {
  const script = `
    const { createCanceller } = require(${JSON.stringify(cliModule('index'))});
    const c = createCanceller({ retry: { maxAttempts: 1, totalTimeoutMs: 5000 } });
    c.cancel('//datastore.${UNIVERSE}/projects/p/operations/o')
      .then((r) => console.log('resolved', JSON.stringify(r)), (e) => console.log('rejected', e.outcome, e.codeName))
      .finally(() => c.close());
  `;
  const r = await runNodeScript(script, { ...adc, GOOGLE_CLOUD_UNIVERSE_DOMAIN: UNIVERSE });
  expect(r.stdout.trim()).toBe('rejected error UNAVAILABLE');
  expect(refusedLookups(r.stderr)).toEqual([`datastore.${UNIVERSE}`]);
});
