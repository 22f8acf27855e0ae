/**
 * The parent's side of the emulator process (emulator-host): fork it, start emulators in it,
 * seed names, set faults, read counters. Shared by run-bench and profile-client.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { EmulatorRequest, ServerCounters, VerifyResult } from './lib';

/** Environment of every child process of the bench. */
export const CHILD_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  // Belt and braces: nothing in the bench may leave loopback (no GCE metadata probe).
  METADATA_SERVER_DETECTION: 'none',
  LRO_CANCEL_EMULATOR_HOST: '',
  // Cleared (a developer's own flags would skew the numbers), unless set for an experiment.
  NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '',
};

export class EmulatorHost {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor() {
    this.child = fork(path.join(__dirname, 'emulator-host.js'), [], {
      execPath: process.execPath,
      execArgv: ['--expose-gc'],
      env: CHILD_ENV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.waiting.set(0, { resolve: () => resolve(), reject });
    });
    this.child.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(`emulator host: ${msg.error}`));
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`emulator host exited (${code})`));
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  call<T>(req: EmulatorRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, req });
    });
  }

  async start(options: { maxConcurrentStreams?: number; rest?: boolean } = {}): Promise<Emulator> {
    const r = await this.call<{ handle: number; target: string; restTarget: string }>({
      cmd: 'start',
      options,
    });
    return new Emulator(this, r.handle, r.target, r.restTarget);
  }

  /** A full garbage collection in the emulator process (between runs). */
  gc(): Promise<unknown> {
    return this.call({ cmd: 'gc' });
  }

  close(): void {
    this.child.disconnect();
  }
}

export class Emulator {
  constructor(
    readonly host: EmulatorHost,
    readonly handle: number,
    readonly target: string,
    /** REST gateway `host:port`, '' unless started with `rest: true`. */
    readonly restTarget: string,
  ) {}
  /** `keep`: change the faults mid-run (the quota bucket keeps its tokens). */
  faults(faults: Record<string, unknown> | null, keep = false): Promise<unknown> {
    return this.host.call({ cmd: 'faults', handle: this.handle, faults, ...(keep ? { keep } : {}) });
  }
  seed(
    prefix: string,
    count: number,
    opts: { clear?: boolean; onCancel?: 'cancel' | 'ignore'; fiveServices?: boolean } = {},
  ): Promise<number> {
    return this.host.call({ cmd: 'seed', handle: this.handle, prefix, count, ...opts });
  }
  reset(): Promise<unknown> {
    return this.host.call({ cmd: 'reset', handle: this.handle });
  }
  counters(): Promise<ServerCounters> {
    return this.host.call({ cmd: 'counters', handle: this.handle });
  }
  verify(prefix: string, count: number, fiveServices?: boolean): Promise<VerifyResult> {
    return this.host.call({
      cmd: 'verify',
      handle: this.handle,
      prefix,
      count,
      ...(fiveServices ? { fiveServices } : {}),
    });
  }
  gc(): Promise<unknown> {
    return this.host.gc();
  }
  stop(): Promise<unknown> {
    return this.host.call({ cmd: 'stop', handle: this.handle });
  }
}
