/**
 * Writing results where a failed write ends the run: the first error of the stream (ENOSPC,
 * EPIPE, EIO, ...) is kept as an OutputError, later writes are dropped, and a wait for 'drain'
 * wakes on it (a failed stream never drains: waiting for it let the event loop empty and the
 * process exit 0 with the output cut short).
 */
import { getSystemErrorMap } from 'node:util';
import { ExitCode, ExitError } from './exit-error';

/** A write to stdout or `--output` failed: one line on stderr, exit 141 (closed pipe) or 1. */
export class OutputError extends ExitError {
  override name = 'OutputError';
  constructor(
    /** What could not be written: 'stdout' or '--output FILE'. */
    readonly target: string,
    override readonly cause: unknown,
  ) {
    const errno = cause as { code?: unknown };
    super(
      errno.code === 'EPIPE' ? ExitCode.BROKEN_PIPE : ExitCode.FAILURE,
      `cannot write ${target}: ${describeIoError(cause)}`,
    );
  }
}

/** `ENOSPC: no space left on device`, whatever the error's own message looks like ('write EPIPE'). */
export function describeIoError(e: unknown): string {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown };
  if (typeof err.code === 'string' && typeof err.errno === 'number') {
    const known = getSystemErrorMap().get(err.errno);
    if (known) return `${known[0]}: ${known[1]}`;
  }
  if (typeof err.code === 'string' && typeof err.message === 'string' && !err.message.includes(err.code))
    return `${err.code}: ${err.message}`;
  return typeof err.message === 'string' ? err.message : String(e);
}

/** What the sink needs of a stream; `on`/`once` are optional so a plain `{ write }` works too. */
interface WritableLike {
  write(chunk: string): unknown;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  once?(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
  end?(): unknown;
  destroy?(): unknown;
}

export class OutputSink {
  /** Set by the first failed write; the run must stop. */
  failure: OutputError | undefined;
  private wakers: Array<() => void> = [];
  private readonly onError = (e: unknown): void => this.fail(e);
  private readonly onClose = (): void => {
    // Closed under us (not by end()): nothing more can be written.
    if (!this.ending) this.fail(Object.assign(new Error('the output was closed'), { code: 'EPIPE' }));
    this.wake();
  };
  private ending = false;

  constructor(
    private readonly stream: WritableLike,
    private readonly target: string,
    /** Called once, on the first failure (to stop sending at once, not at the next record). */
    private readonly onFailure: (failure: OutputError) => void = () => undefined,
  ) {
    stream.on?.('error', this.onError);
    stream.on?.('close', this.onClose);
  }

  /** Write a chunk; false means "wait with drained()" (backpressure, or a failure). */
  write(chunk: string): boolean {
    if (this.failure) return false;
    try {
      return this.stream.write(chunk) !== false;
    } catch (e) {
      // A stream that throws instead of emitting 'error' (a plain { write } object).
      this.fail(e);
      return false;
    }
  }

  /** Resolves on 'drain', or at once when the stream has failed (check `failure` after). */
  drained(): Promise<void> {
    if (this.failure || typeof this.stream.once !== 'function') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off?.('drain', done);
        this.wakers = this.wakers.filter((w) => w !== done);
        resolve();
      };
      this.wakers.push(done);
      this.stream.once?.('drain', done);
    });
  }

  /**
   * For a stream of our own (`--output FILE`): flush and close it, keeping a failure of the last
   * writes or of close() itself. Resolves once the file is closed (or has failed).
   */
  async end(): Promise<void> {
    this.ending = true;
    if (this.failure) {
      this.stream.destroy?.();
      return;
    }
    await new Promise<void>((resolve) => {
      this.stream.once?.('close', () => resolve());
      this.stream.once?.('error', () => resolve());
      this.stream.end?.();
    });
  }

  /** Stop listening (for a stream that outlives the command: stdout). */
  detach(): void {
    this.stream.off?.('error', this.onError);
    this.stream.off?.('close', this.onClose);
  }

  private fail(e: unknown): void {
    if (this.failure) return;
    this.failure = new OutputError(this.target, e);
    this.onFailure(this.failure);
    this.wake();
  }

  private wake(): void {
    const ws = this.wakers;
    this.wakers = [];
    for (const w of ws) w();
  }
}
