// The README's TypeScript examples cannot rot: every ```ts block is type-checked against src/
// (`lro-cancel` → src/index.ts, `lro-cancel/emulator` → src/emulator/index.ts) under strict, then
// transpiled and run, in README order, against a real emulator reached through
// LRO_CANCEL_EMULATOR_HOST, with every operation name the block mentions seeded. A block passes
// when it runs to the end without throwing and without writing to console.error.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { format } from 'node:util';
import { metrics, trace } from '@opentelemetry/api';
import ts from 'typescript';
import { useEmulator } from '../helpers/emulator';

jest.setTimeout(30_000);

const ROOT = path.join(__dirname, '../..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

interface Block {
  /** 1-based README line of the opening fence. */
  line: number;
  code: string;
}

function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] as string);
    blocks.push({ line: start + 1, code: body.join('\n') });
  }
  return blocks;
}

const BLOCKS = tsBlocks(README);
const PATHS = {
  'lro-cancel': [path.join(ROOT, 'src/index.ts')],
  'lro-cancel/emulator': [path.join(ROOT, 'src/emulator/index.ts')],
};

test('the README has the library examples the docs promise', () => {
  const all = BLOCKS.map((b) => b.code).join('\n');
  for (const use of [
    '.cancel(', // a single cancel
    '.cancelAndConfirm(', // confirm
    'for await (const record of run)', // a batch
    'signal: controller.signal', // AbortSignal
    'retry: {', // a custom retry policy
    'startOperationsEmulator()', // the emulator in a test
    'hooks: {',
    'logger',
    'setGlobalTracerProvider',
  ]) {
    expect({ use, found: all.includes(use) }).toEqual({ use, found: true });
  }
  expect(BLOCKS.length).toBeGreaterThanOrEqual(10);
});

test('every ```ts block of the README type-checks against src/ (strict)', () => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    esModuleInterop: true,
    resolveJsonModule: true,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    paths: PATHS,
  };
  // Each block is a virtual file beside this test, so packages resolve from the project's node_modules.
  const virtual = new Map(BLOCKS.map((b) => [path.join(__dirname, `readme-line-${b.line}.ts`), b.code]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    return text === undefined
      ? getSourceFile.call(host, f, lang, ...rest)
      : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || virtual.has(d.file.fileName))
    .map((d) => {
      const where = d.file
        ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(problems).toEqual([]);
}, 120_000); // a whole program (src, @types/node, the SDKs' types): seconds, more on a loaded machine

describe('every ```ts block of the README runs against the emulator', () => {
  const emu = useEmulator();
  let cwd: string;
  let dir: string;
  const saved = process.env.LRO_CANCEL_EMULATOR_HOST;
  beforeAll(() => {
    cwd = process.cwd();
    // Blocks may write files (a batch journal): in a directory of their own.
    dir = mkdtempSync(path.join(tmpdir(), 'lro-readme-'));
    process.chdir(dir);
  });
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.LRO_CANCEL_EMULATOR_HOST;
    else process.env.LRO_CANCEL_EMULATOR_HOST = saved;
  });
  afterEach(() => {
    trace.disable();
    metrics.disable();
  });

  test.each(BLOCKS.map((b) => [b.line, b] as const))('README line %i', async (_line, block) => {
    process.env.LRO_CANCEL_EMULATOR_HOST = emu.get().target;
    // Every operation name the block mentions exists (on any service); a "flaky" one fails twice first.
    for (const m of block.code.matchAll(/(?:\/\/[a-z0-9.-]+\/)?(projects\/[\w./-]*?operations\/[\w-]+)/g)) {
      const name = m[1] as string;
      emu.get().store.seed({ name, ...(name.includes('flaky') ? { failTimes: 2 } : {}) });
    }
    const out: string[] = [];
    const errors: string[] = [];
    const sandboxConsole = {
      log: (...a: unknown[]) => out.push(format(...a)),
      info: (...a: unknown[]) => out.push(format(...a)),
      warn: (...a: unknown[]) => out.push(format(...a)),
      error: (...a: unknown[]) => errors.push(format(...a)),
    };
    const pinoLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        pinoLines.push(chunk.toString());
        done();
      },
    });
    const load = (id: string): unknown => {
      if (id === 'lro-cancel') return require('../../src');
      if (id === 'lro-cancel/emulator') return require('../../src/emulator');
      if (id === 'pino') {
        // The block's logger writes here, not on the test's stdout.
        const pino = require('pino') as (opts: object, dest: Writable) => unknown;
        return { __esModule: true, default: (opts: object) => pino(opts, sink) };
      }
      return require(id);
    };
    const js = ts.transpileModule(block.code, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2023,
        esModuleInterop: true,
      },
    }).outputText;
    // An async function body, so top-level await works.
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    const run = new AsyncFunction('require', 'exports', 'console', js);
    await run(load, {}, sandboxConsole);
    expect(errors).toEqual([]);
    if (block.code.includes("from 'pino'")) expect(pinoLines.join('')).toContain('lro-cancel attempt');
  });
});
