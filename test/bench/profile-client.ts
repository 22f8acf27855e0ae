/**
 * CPU profile of one bench client (node --cpu-prof), summarised: where the client's time goes,
 * by package and by function (self time). For chasing hot-path costs, not part of `npm run bench`.
 *
 *   npm run build && sh .ci/node22.sh npx tsc -p test/bench/tsconfig.json
 *   sh .ci/node22.sh node bench-results/build/test/bench/profile-client.js lro-cancel 64 50000
 *
 * Arguments: client (raw | gax | lro-cancel | cancelMany), concurrency, calls.
 * The .cpuprofile lands in bench-results/profiles/ (open it in Chrome DevTools for the tree).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { CHILD_ENV, EmulatorHost } from './emulator-control';
import { ROOT, type ClientKind, type ClientSpec } from './lib';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function category(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.includes('/node_modules/@grpc/grpc-js/')) return '@grpc/grpc-js';
  if (url.includes('/node_modules/@grpc/proto-loader/')) return '@grpc/proto-loader';
  if (url.includes('/node_modules/protobufjs/') || url.includes('/node_modules/@protobufjs/'))
    return 'protobufjs';
  if (url.includes('/node_modules/google-gax/')) return 'google-gax';
  if (url.includes('/dist/')) return 'lro-cancel';
  if (url.includes('/test/bench/')) return 'bench harness';
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/node_modules/')) return 'other node_modules (loading)';
  return url;
}

async function main(): Promise<void> {
  const [client = 'lro-cancel', c = '64', n = '50000'] = process.argv.slice(2);
  const outDir = path.join(ROOT, 'bench-results', 'profiles');
  fs.mkdirSync(outDir, { recursive: true });
  const host = new EmulatorHost();
  await host.ready;
  const emulator = await host.start();
  const spec: ClientSpec = {
    client: client as ClientKind,
    target: emulator.target,
    prefix: 'p',
    warmup: 2000,
    calls: Number(n),
    concurrency: Number(c),
  };
  await emulator.seed('p', spec.calls, { clear: true });
  await emulator.seed('pw', spec.warmup);
  const name = `${client}-c${c}-${Date.now()}.cpuprofile`;
  const child = spawn(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      outDir,
      '--cpu-prof-name',
      name,
      path.join(__dirname, 'client-process.js'),
      JSON.stringify(spec),
    ],
    {
      env: CHILD_ENV,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  for await (const line of readline.createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (line === 'READY') child.stdin?.write('go\n');
    else if (line.startsWith('BENCH_RESULT ')) {
      const r = JSON.parse(line.slice(13)) as { cpuUsPerCall: number; callsPerSec: number };
      process.stdout.write(
        `${client} C=${c}: ${r.cpuUsPerCall.toFixed(0)} µs/call, ${r.callsPerSec.toFixed(0)} calls/s (with the profiler on)\n`,
      );
    }
  }
  await new Promise((r) => child.on('exit', r));
  host.close();

  const file = path.join(outDir, name);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  // Self time per node from the samples (includes warm-up: the whole process).
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++)
    self.set(
      profile.samples[i] as number,
      (self.get(profile.samples[i] as number) ?? 0) + (profile.timeDeltas[i] ?? 0),
    );
  const idleIds = new Set(
    profile.nodes.filter((x) => x.callFrame.functionName === '(idle)').map((x) => x.id),
  );
  const total = [...self].filter(([id]) => !idleIds.has(id)).reduce((a, [, t]) => a + t, 0);
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const cat = category(url, functionName);
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + t);
    const key = `${functionName || '(anonymous)'}  ${cat === url ? url : `${cat}:${path.basename(url)}:${lineNumber + 1}`}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  }
  const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  process.stdout.write(
    `\nself time by package (whole process, ${(total / 1000).toFixed(0)} ms busy, idle excluded):\n`,
  );
  for (const [k, t] of [...byCategory].sort((a, b) => b[1] - a[1]).filter(([k]) => k !== '(idle)'))
    process.stdout.write(`  ${pct(t)}  ${k}\n`);
  process.stdout.write('\ntop functions by self time:\n');
  for (const [k, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 40))
    process.stdout.write(`  ${pct(t)}  ${k}\n`);
  // Inclusive (self + callees) time of lro-cancel's and gax's own functions. Code after an
  // `await` runs from the microtask queue, so each async function shows up in several pieces.
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const inclusive = new Map<number, number>();
  const visit = (id: number): number => {
    const node = byId.get(id) as ProfileNode;
    let t = self.get(id) ?? 0;
    for (const child of node.children ?? []) t += visit(child);
    inclusive.set(id, t);
    return t;
  };
  visit(profile.nodes[0]?.id as number);
  const own = new Map<string, number>();
  for (const node of profile.nodes) {
    const cat = category(node.callFrame.url, node.callFrame.functionName);
    if (cat !== 'lro-cancel' && cat !== 'google-gax') continue;
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${cat}:${path.relative(path.join(ROOT, 'dist'), node.callFrame.url.replace('file://', ''))}:${node.callFrame.lineNumber + 1}`;
    own.set(key, (own.get(key) ?? 0) + (inclusive.get(node.id) ?? 0));
  }
  if (own.size > 0) {
    process.stdout.write(
      '\nlro-cancel / gax functions by inclusive time (self + callees; nested entries overlap):\n',
    );
    for (const [k, t] of [...own].sort((a, b) => b[1] - a[1]).slice(0, 30))
      process.stdout.write(`  ${pct(t)}  ${k}\n`);
  }
  process.stdout.write(`\nprofile: ${path.relative(ROOT, file)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
