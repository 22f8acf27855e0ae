import type { OperationName } from '../registry/operation-name';

/**
 * The scheduling state of one service in a batch: its queue, its in-flight count, an AIMD
 * concurrency limit, a sliding one-second rate window, a pause (server-requested quota
 * delay) and a circuit breaker. Pure bookkeeping: the engine starts and finishes the calls.
 */
/** How far behind schedule (late timers) the rate pacing may catch up, in ms. */
const RATE_CATCH_UP_MS = 20;
/**
 * The hard window of the rate limit: N starts per 1,025 ms rather than per 1,000, because the
 * promise is kept where it counts, at the server, and calls reach it a little unevenly.
 */
const RATE_WINDOW_MS = 1025;

export interface LaneJob {
  line: number;
  /** The input text (for records of names that never ran). */
  text: string;
  name: string;
  service: string;
  /** The validated name and its service, as the reader parsed it (the call does not parse again). */
  target: OperationName;
  /** Quota rejections this name has met (they do not use up its attempts). */
  quotaRejections: number;
}

export interface LaneLimits {
  /** Max calls in flight. */
  concurrency: number;
  /** Max calls started in any one-second window; undefined for no limit. */
  ratePerSecond?: number | undefined;
  /** Consecutive 'denied' results that open the breaker. */
  breakerThreshold: number;
}

export class ServiceLane {
  private readonly queue: LaneJob[] = [];
  private head = 0;
  inflight = 0;
  /** Current concurrency limit (float: additive increase adds 1/limit per success). */
  limit: number;
  pausedUntil = 0;
  consecutiveDenied = 0;
  breakerOpen = false;
  private lastDecrease = 0;
  /** Earliest time the next call may start under the rate limit (performance.now ms). */
  private nextStartAt = -Infinity;
  private readonly spacingMs: number;
  /** Start times of the last `ratePerSecond` calls (ring buffer): the hard one-second window. */
  private readonly starts: number[];
  private startIdx = 0;

  constructor(readonly id: string, readonly limits: LaneLimits) {
    this.limit = limits.concurrency;
    this.spacingMs = limits.ratePerSecond ? 1000 / limits.ratePerSecond : 0;
    this.starts = limits.ratePerSecond ? new Array<number>(limits.ratePerSecond).fill(-Infinity) : [];
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  push(job: LaneJob): void {
    this.queue.push(job);
  }

  /** Put a job back at the front (a quota rejection: it goes next once the pause ends). */
  unshift(job: LaneJob): void {
    if (this.head > 0) this.queue[--this.head] = job;
    else this.queue.unshift(job);
  }

  /** Take every queued job (shutdown, breaker). */
  drain(): LaneJob[] {
    const rest = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    return rest;
  }

  /**
   * The next job that may start now, or the time (ms, performance.now) to look again,
   * or undefined when nothing can start until a call finishes.
   */
  next(now: number): LaneJob | number | undefined {
    if (this.queued === 0 || this.inflight >= Math.max(1, Math.floor(this.limit))) return undefined;
    if (this.pausedUntil > now) return this.pausedUntil;
    if (this.spacingMs > 0) {
      // Calls are paced evenly, 1000/N ms apart, so there is no burst at the start (or after an
      // idle spell) for the server to reject. Timers fire a millisecond or more late, so pacing
      // alone would cap the rate near 1,000/s: the schedule may catch up on up to
      // RATE_CATCH_UP_MS of lateness, and the window of the last N starts keeps the promise
      // that no one-second window holds more than N.
      if (now < this.nextStartAt) return this.nextStartAt;
      const oldest = this.starts[this.startIdx] as number;
      if (now - oldest < RATE_WINDOW_MS) return oldest + RATE_WINDOW_MS;
      this.nextStartAt = Math.max(now - RATE_CATCH_UP_MS, this.nextStartAt) + this.spacingMs;
      this.starts[this.startIdx] = now;
      this.startIdx = (this.startIdx + 1) % this.starts.length;
    }
    const job = this.queue[this.head] as LaneJob;
    this.queue[this.head++] = undefined as unknown as LaneJob;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.inflight++;
    return job;
  }

  /** Additive increase: +1 per `limit` successes, up to the configured concurrency. */
  onSuccess(): void {
    this.consecutiveDenied = 0;
    if (this.limit < this.limits.concurrency) this.limit = Math.min(this.limits.concurrency, this.limit + 1 / this.limit);
  }

  /** Multiplicative decrease on a quota rejection (at most once per `windowMs`), and pause. */
  onQuota(now: number, retryDelayMs: number, windowMs = 1000): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + retryDelayMs);
    if (now - this.lastDecrease >= windowMs) {
      this.limit = Math.max(1, this.limit / 2);
      this.lastDecrease = now;
    }
  }

  /** Count a denied result; true when the breaker has just opened. */
  onDenied(): boolean {
    this.consecutiveDenied++;
    if (!this.breakerOpen && this.consecutiveDenied >= this.limits.breakerThreshold) {
      this.breakerOpen = true;
      return true;
    }
    return false;
  }
}
