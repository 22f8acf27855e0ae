// Hostile batch input, through the real executable and through readLines: a 1 MB line, NUL
// bytes, invalid UTF-8, CR/LF mixes, BOMs, lines cut at every possible chunk boundary. Bad
// lines get their own 'invalid-name' record (and no RPC), good lines still run, nothing
// crashes and no line is buffered beyond the reader's bound.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { cancelMany, type BatchRecord } from '../../src/batch/cancel-many';
import { MAX_LINE_CHARS, readLines } from '../../src/batch/read-lines';
import { runCliProcess } from '../cli/helpers/spawn-cli';
import { useEmulator } from '../helpers/emulator';

jest.setTimeout(30_000);
const emu = useEmulator();

const N = (id: string): string => `projects/p/operations/${id}`;
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

type Expect = 'ok' | 'bad' | 'skip';
/** The hostile file, line by line: its bytes (without the '\n') and what should become of it. */
const LINES: Array<[Buffer, Expect, string]> = [
  [b(`\ufeff${N('bom-first')}`), 'ok', 'a UTF-8 BOM on line 1'],
  [b('# a comment'), 'skip', 'a comment'],
  [b(`${N('crlf')}\r`), 'ok', 'a CRLF line end'],
  [b(`${N('huge-')}${'x'.repeat(1 << 20)}`), 'bad', 'a 1 MB line'],
  [b(N('after-huge')), 'ok', 'the line after the 1 MB line'],
  [b(`${N('nul')}\u0000x`), 'bad', 'a NUL byte'],
  [Buffer.concat([b(N('ff-fe')), Buffer.from([0xff, 0xfe])]), 'bad', 'bytes that are never UTF-8'],
  [
    Buffer.concat([b(N('overlong')), Buffer.from([0xc0, 0xaf]), b('x')]),
    'bad',
    'an overlong encoding of "/"',
  ],
  [
    Buffer.concat([b(N('surrogate')), Buffer.from([0xed, 0xa0, 0x80])]),
    'bad',
    'an encoded UTF-16 surrogate (WTF-8)',
  ],
  [
    Buffer.concat([b(N('truncated')), Buffer.from([0xe2, 0x82])]),
    'bad',
    'a multi-byte sequence cut by the line end',
  ],
  [b(N('after-truncated')), 'ok', 'the line after it (the newline was not swallowed)'],
  [b(`${N('bare')}\r${N('cr')}`), 'bad', 'a bare CR inside a line'],
  [b(`${N('cr-cr-lf')}\r\r`), 'ok', 'CR CR LF'],
  [b(`\r${N('leading-cr')}`), 'ok', 'a CR at the start (blank space around a name is trimmed)'],
  [b(`\ufeff${N('bom-later')}`), 'ok', 'a BOM on a later line'],
  [b(' \t \r'), 'skip', 'spaces, a tab and a CR only'],
  [b('\r'), 'skip', 'a lone CR'],
  [b(''), 'skip', 'an empty line'],
  [b(`${N('tab')}\tmore`), 'bad', 'a tab inside a name'],
  [b(`${N('esc')}\u001b[31m`), 'bad', 'an ANSI escape sequence'],
  [b(`${N('nel')}\u0085`), 'bad', 'a C1 control (NEL)'],
  [
    b(`${N('ls')}\u2028x`),
    'bad',
    'a line separator inside a name (around one, it is trimmed like any space)',
  ],
  [
    b(`//datastore.googleapis.com/${N('x-inject')}\rx-evil: 1`),
    'bad',
    'a header-injection attempt (a CR, then a header)',
  ],
  [b(`${N('%0d%0a')}`), 'ok', 'percent signs are just characters'],
  [b(N('last-no-newline')), 'ok', 'a last line without a newline'],
];

function fileBytes(lines: Array<[Buffer, Expect, string]>): Buffer {
  const parts: Buffer[] = [];
  lines.forEach(([bytes], i) => {
    parts.push(bytes);
    if (i < lines.length - 1) parts.push(b('\n'));
  });
  return Buffer.concat(parts);
}

const expected = new Map<number, Expect>(LINES.map(([, e], i) => [i + 1, e]));
const nameLines = [...expected].filter(([, e]) => e !== 'skip').map(([l]) => l);
const goodLines = [...expected].filter(([, e]) => e === 'ok').map(([l]) => l);

/** The names of the good lines, in line order. */
const GOOD_IDS = [
  'bom-first',
  'crlf',
  'after-huge',
  'after-truncated',
  'cr-cr-lf',
  'leading-cr',
  'bom-later',
  '%0d%0a',
  'last-no-newline',
];
const goodName = new Map(goodLines.map((l, k) => [l, N(GOOD_IDS[k]!)]));

function seedGood(): void {
  for (const id of GOOD_IDS) emu.get().store.seed({ name: N(id), service: 'datastore' });
}

/**
 * What a bad line's record must start with: the line's leading printable ASCII (each bad line
 * has its own), at most the 64 characters a line cut for length keeps.
 */
function badPrefix(line: number, lines: Array<[Buffer, Expect, string]>): string {
  const bytes = lines[line - 1]![0];
  let end = 0;
  while (end < bytes.length && end < 64 && bytes[end]! >= 0x20 && bytes[end]! <= 0x7e) end++;
  return bytes.subarray(0, end).toString('latin1');
}

function checkRecords(recs: BatchRecord[], lines = LINES): void {
  expect(recs.map((r) => r.line).sort((x, y) => x! - y!)).toEqual(nameLines);
  for (const r of recs) {
    const want = expected.get(r.line!);
    // Each record carries its own line's name: a good line's name as validated, a bad line's text.
    if (want === 'ok')
      expect([r.line, r.outcome, r.name]).toEqual([r.line, 'cancel-requested', goodName.get(r.line!)]);
    else {
      expect([r.line, r.outcome, r.attempts]).toEqual([r.line, 'invalid-name', 0]);
      const prefix = badPrefix(r.line!, lines);
      expect([r.line, r.name.slice(0, prefix.length)]).toEqual([r.line, prefix]);
    }
  }
  // The prefixes tell the bad lines apart, so the check above pairs each with its own.
  const prefixes = nameLines.filter((l) => expected.get(l) === 'bad').map((l) => badPrefix(l, lines));
  expect(prefixes.every((p) => p.length >= N('xx').length)).toBe(true);
  expect(prefixes.every((p, i) => prefixes.every((q, j) => i === j || !q.startsWith(p)))).toBe(true);
}

test('through the CLI: every name line gets one record, bad lines invalid-name, good lines cancelled, only good names sent', async () => {
  seedGood();
  const dir = mkdtempSync(path.join(tmpdir(), 'lro-hostile-'));
  const file = path.join(dir, 'hostile.txt');
  writeFileSync(file, fileBytes(LINES));
  const r = await runCliProcess([
    'batch',
    '--input',
    file,
    '--service',
    'datastore',
    '--emulator',
    emu.get().target,
    '--quiet',
  ]);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(1); // some names were invalid
  // Nothing but one JSON record per line on stdout, each a single line.
  const out = r.stdout.trimEnd().split('\n');
  const recs = out.map((l) => JSON.parse(l) as BatchRecord);
  checkRecords(recs);
  // The 1 MB line is reported with a reason, and not echoed back in full.
  const huge = recs.find((x) => x.line === 4)!;
  expect(huge.message).toContain(`longer than ${MAX_LINE_CHARS} characters`);
  expect(huge.name.length).toBeLessThan(200);
  expect(r.stdout.length).toBeLessThan(20_000);
  // Exactly the good names reached the server.
  const sent = emu
    .get()
    .callsOf('CancelOperation')
    .map((c) => c.name)
    .sort();
  expect(sent).toHaveLength(goodLines.length);
  expect(sent).toEqual(
    recs
      .filter((x) => x.outcome === 'cancel-requested')
      .map((x) => x.name)
      .sort(),
  );
  for (const call of emu.get().calls) expect(call.requestParams).toMatch(/^name=[A-Za-z0-9\-_.!~*'()%]*$/);
});

test('through cancelMany + readLines, with the bytes arriving in 1..7-byte chunks: the same records', async () => {
  seedGood();
  // Drop the 1 MB line here: byte-sized chunks of it would only make the test slow.
  const lines = LINES.map(([bytes, e, what], i): [Buffer, Expect, string] =>
    i === 3 ? [b(`${N('long-')}${'y'.repeat(MAX_LINE_CHARS + 10)}`), e, what] : [bytes, e, what],
  );
  const bytes = fileBytes(lines);
  async function* chunks(): AsyncGenerator<Buffer> {
    let size = 1;
    for (let i = 0; i < bytes.length; i += size, size = (size % 7) + 1) yield bytes.subarray(i, i + size);
  }
  const recs: BatchRecord[] = [];
  for await (const r of cancelMany(readLines(chunks()), { emulator: emu.get().target, service: 'datastore' }))
    recs.push(r);
  checkRecords(recs, lines);
  expect(emu.get().callsOf('CancelOperation')).toHaveLength(goodLines.length);
});

test('readLines: however the bytes are cut into chunks, the lines are the same, and none is longer than the bound', async () => {
  const bytes = fileBytes(
    LINES.filter((_, i) => i !== 3).concat([
      [b('z'.repeat(MAX_LINE_CHARS * 2)), 'bad', 'a 128 KB line'],
      [Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xe6, 0x97, 0xa5]), 'ok', 'multi-byte characters'],
    ]),
  );
  const collect = async (parts: Buffer[]): Promise<string[]> => {
    const out: string[] = [];
    for await (const line of readLines(
      (async function* () {
        yield* parts;
      })(),
    ))
      out.push(line);
    return out;
  };
  const whole = await collect([bytes]);
  expect(whole.length).toBe(LINES.length + 1);
  for (const line of whole) expect(line.length).toBeLessThanOrEqual(MAX_LINE_CHARS + 64);
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }),
      async (cuts) => {
        const at = [0, ...cuts.sort((x, y) => x - y), bytes.length];
        const parts = at.slice(1).map((end, i) => bytes.subarray(at[i], end));
        expect(await collect(parts)).toEqual(whole);
      },
    ),
    { numRuns: 200 },
  );
});

test('a 16 MB input with no newline at all yields one line, cut to the bound, which gets its invalid-name record', async () => {
  let yielded = 0;
  async function* flood(): AsyncGenerator<Buffer> {
    const chunk = Buffer.alloc(64 * 1024, 'q');
    for (let i = 0; i < 256; i++) {
      yielded++;
      yield chunk;
    }
  }
  const lines: string[] = [];
  for await (const line of readLines(flood())) lines.push(line);
  expect(yielded).toBe(256);
  expect(lines).toHaveLength(1);
  expect(lines[0]!.length).toBeLessThanOrEqual(MAX_LINE_CHARS + 64);
  const recs: BatchRecord[] = [];
  for await (const r of cancelMany(lines, { emulator: emu.get().target, service: 'datastore' })) recs.push(r);
  expect(recs).toMatchObject([{ line: 1, outcome: 'invalid-name', attempts: 0 }]);
  expect(emu.get().calls).toHaveLength(0);
});
