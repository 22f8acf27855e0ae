import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const GUARD = path.join(ROOT, 'test', 'helpers', 'loopback-only-guard.js');
const REGISTER_TS = path.join(ROOT, 'test', 'cli', 'helpers', 'register-ts.js');
const DIST_MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * How to start the CLI: the built `dist/cli/main.js` when it is at least as new as every
 * source (CI runs `npm run build` first), else `src/cli/main.ts` compiled on the fly by swc
 * (a fresh clone running `npm test` directly). Either way it is the real executable path.
 */
export const cli: { mode: 'dist' | 'src'; entry: string; nodeArgs: string[] } =
  existsSync(DIST_MAIN) && statSync(DIST_MAIN).mtimeMs >= newestSourceMtime(path.join(ROOT, 'src'))
    ? { mode: 'dist', entry: DIST_MAIN, nodeArgs: [] }
    : { mode: 'src', entry: path.join(ROOT, 'src', 'cli', 'main.ts'), nodeArgs: ['--require', REGISTER_TS] };

/** A module of the CLI (`cli/run-cli`) in the same mode, for `node -e` probes. */
export function cliModule(relative: string): string {
  return cli.mode === 'dist'
    ? path.join(ROOT, 'dist', `${relative}.js`)
    : path.join(ROOT, 'src', `${relative}.ts`);
}

/** The environment every child gets: the loopback-only guard preloaded, no metadata server. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  env.NODE_OPTIONS = `--require ${JSON.stringify(GUARD)}`;
  env.METADATA_SERVER_DETECTION = 'none';
  if (!('LRO_CANCEL_EMULATOR_HOST' in extra)) delete env.LRO_CANCEL_EMULATOR_HOST;
  return env;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the child exits (killed after `timeoutMs`). */
  exited: Promise<Finished>;
  /** Resolves once stdout matches `pattern` (rejects if the child exits first). */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

function track(child: ChildProcessWithoutNullStreams, timeoutMs: number): Running {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let done = false;
  const exited = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit in ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitForStdout(pattern, waitMs = 10_000) {
      const until = Date.now() + waitMs;
      for (;;) {
        const m = pattern.exec(stdout);
        if (m) return m;
        if (done || Date.now() > until)
          throw new Error(`stdout never matched ${pattern}; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Start `node [loader] entry ...args` with the guard preloaded. */
export function startCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Running {
  return track(
    spawn(process.execPath, [...cli.nodeArgs, cli.entry, ...args], { cwd: ROOT, env: childEnv(env) }),
    timeoutMs,
  );
}

/** Run the CLI to completion. */
export function runCliProcess(args: readonly string[], env: Record<string, string> = {}): Promise<Finished> {
  return startCli(args, env).exited;
}

/** Run `node -e script` with the same loader and environment as the CLI (plus `env`). */
export function runNodeScript(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<Finished> {
  return track(
    spawn(process.execPath, [...cli.nodeArgs, '-e', script], { cwd: ROOT, env: childEnv(env) }),
    timeoutMs,
  ).exited;
}
