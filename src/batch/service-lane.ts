import type { OperationName } from '../registry/operation-name';
import { QuotaRate } from './quota-rate';

/** How far behind schedule (late timers) the rate pacing may catch up, in ms. */
const RATE_CATCH_UP_MS = 20;
/**
 * The same for the rate the quota controller learnt: a busy event loop (2,000 calls/s over five
 * services on a loaded machine) stalls longer than 20 ms, and with 20 the paced services fell
 * ~4 % short of their target. A server's bucket absorbs the catch-up; a server that does not
 * answers with a rejection, which lowers the target.
 */
const LEARNT_CATCH_UP_MS = 100;
/**
 * The hard window of the rate limit: N starts per 1,025 ms rather than per 1,000, because the
 * promise is kept where it counts, at the server, and calls reach it a little unevenly.
 */
const RATE_WINDOW_MS = 1025;
/**
 * The lane's own schedule for quota rejections that carry no RetryInfo: the first pause is
 * OWN_PAUSE_MIN_MS, each further one in a row (the calls sent after a pause were rejected too)
 * doubles, up to OWN_PAUSE_MAX_MS, and from the second on one call at a time tests the quota (a
 * per-minute quota that is spent rejects for up to a minute: one call per pause, not a burst).
 */
const OWN_PAUSE_MIN_MS = 100;
const OWN_PAUSE_MAX_MS = 1000;

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
  /** When the name was first sent (performance.now ms; 0 before): quota waits count against its total deadline. */
  firstSentAt: number;
  /** Its entry in the batch's SeenNames (-1 when not deduplicated): repeats wait on it. */
  seenId: number;
  /** Sent as the half-open probe of a service that looks down (one fail-fast attempt). */
  probe?: boolean;
}

export interface LaneLimits {
  /** Max calls in flight. */
  concurrency: number;
  /**
   * With quotaControl 'rate': the calls in flight a lane starts with; the controller goes past
   * it, up to `concurrency`, when rate × latency needs more (the user gave no concurrency).
   * Defaults to `concurrency`.
   */
  initialConcurrency?: number | undefined;
  /** Max calls started in any one-second window; undefined for no limit. */
  ratePerSecond?: number | undefined;
  /** Consecutive 'denied' names, or names ended on a transient error, that open the breaker. */
  breakerThreshold: number;
  /** How long a service that looks down rests before its half-open probe, in ms. */
  probeDelayMs: number;
  /**
   * What a quota rejection adjusts: 'rate' (default) paces the service at a target rate learnt
   * from the rate the server accepted (QuotaRate); 'aimd' halves the concurrency instead (the
   * controller before issue 15, kept to compare).
   */
  quotaControl?: 'rate' | 'aimd' | undefined;
}

/**
 * Whether the service answers: 'up'; 'probing' once `breakerThreshold` names in a row ended on
 * transient errors (nothing new starts until one fail-fast probe, after `probeDelayMs`, tells);
 * or closed for the rest of the run (`closedReason`), after the probe failed too or after
 * `breakerThreshold` names in a row were denied.
 */
export type LaneHealth = 'up' | 'probing' | 'closed';

/**
 * The scheduling state of one service in a batch: its queue, its in-flight count, an adaptive
 * quota controller (a paced target rate, QuotaRate; or AIMD on concurrency), the user's hard
 * one-second rate window, a pause (server-requested quota
 * delay) and a circuit breaker with a half-open probe. Pure bookkeeping: the engine starts and
 * finishes the calls.
 */
export class ServiceLane {
  private readonly queue: LaneJob[] = [];
  private head = 0;
  inflight = 0;
  /** Current concurrency limit (float: additive increase adds 1/limit per success). */
  limit: number;
  pausedUntil = 0;
  /** The lane's own quota pause (no RetryInfo): the next one, 0 when none is in a row. */
  private ownPauseMs = 0;
  /** The last own pause's end: a call started after it that gets past the quota ends the row. */
  private ownPauseEnd = -Infinity;
  /** One call at a time until one gets past the quota (a second own pause in a row). */
  private quotaProbe = false;
  private health: LaneHealth = 'up';
  /** Why the lane takes no more names (set with health 'closed'): each one's not-attempted message. */
  closedReason: string | undefined;
  private consecutiveDenied = 0;
  private consecutiveTransient = 0;
  /** While probing: when the probe may start, and whether it is out. */
  private probeAt = 0;
  private probeOut = false;
  // -Infinity, not 0: performance.now() counts from process start, so a rejection in the first
  // second of a process (a CLI run's first calls) would otherwise never halve the limit.
  private lastDecrease = -Infinity;
  /** Earliest time the next call may start under the rate limit (performance.now ms). */
  private nextStartAt = -Infinity;
  /** The adaptive quota controller (undefined with quotaControl 'aimd'). */
  readonly quota: QuotaRate | undefined;
  /** Start times of the last `ratePerSecond` calls (ring buffer): the hard one-second window. */
  private readonly starts: number[];
  private startIdx = 0;

  constructor(
    readonly id: string,
    readonly limits: LaneLimits,
  ) {
    this.limit = limits.concurrency;
    this.quota = limits.quotaControl === 'aimd' ? undefined : new QuotaRate(limits.ratePerSecond);
    this.starts = limits.ratePerSecond ? new Array<number>(limits.ratePerSecond).fill(-Infinity) : [];
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  push(job: LaneJob): void {
    this.queue.push(job);
  }

  /**
   * Put a job back at the front (a quota rejection: it goes next once the pause ends). A rejected
   * one-at-a-time quota probe goes to the back instead: the next probe is another name, so no
   * one name collects a whole spent window's rejections (and its total deadline with them).
   */
  unshift(job: LaneJob): void {
    if (this.quotaProbe) this.queue.push(job);
    else if (this.head > 0) this.queue[--this.head] = job;
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
    if (this.queued === 0 || this.health === 'closed') return undefined;
    if (this.health === 'probing') {
      // Half-open: one call, once the rest is over; the calls still in flight finish as they will.
      if (this.probeOut) return undefined;
      if (now < this.probeAt) return this.probeAt;
      this.probeOut = true;
      const probe = this.take();
      probe.probe = true;
      return probe;
    }
    const { concurrency, initialConcurrency } = this.limits;
    const limit = this.quota
      ? this.quota.concurrencyFor(now, initialConcurrency ?? concurrency, concurrency)
      : this.limit;
    if (this.inflight >= (this.quotaProbe ? 1 : Math.max(1, Math.floor(limit)))) return undefined;
    if (this.pausedUntil > now) return this.pausedUntil;
    const rate = this.quota ? this.quota.rate(now) : this.limits.ratePerSecond;
    if (rate !== undefined) {
      // Calls are paced evenly, 1000/N ms apart, so there is no burst at the start (or after an
      // idle spell) for the server to reject. Timers fire a millisecond or more late, so pacing
      // alone would cap the rate near 1,000/s: the schedule may catch up on up to
      // RATE_CATCH_UP_MS of lateness, and the window of the last N starts keeps the promise
      // that no one-second window holds more than N.
      if (now < this.nextStartAt) return this.nextStartAt;
      if (this.starts.length > 0) {
        const oldest = this.starts[this.startIdx] as number;
        if (now - oldest < RATE_WINDOW_MS) return oldest + RATE_WINDOW_MS;
        this.starts[this.startIdx] = now;
        this.startIdx = (this.startIdx + 1) % this.starts.length;
      }
      const catchUp = rate === this.limits.ratePerSecond ? RATE_CATCH_UP_MS : LEARNT_CATCH_UP_MS;
      this.nextStartAt = Math.max(now - catchUp, this.nextStartAt) + 1000 / rate;
    }
    return this.take();
  }

  private take(): LaneJob {
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
    this.onAnswered();
    if (this.limit < this.limits.concurrency)
      this.limit = Math.min(this.limits.concurrency, this.limit + 1 / this.limit);
  }

  /**
   * A name ended with an answer from the service (any outcome but denied or a transient error):
   * the service is up. A probe that gets one reopens the lane.
   */
  onAnswered(): void {
    this.consecutiveDenied = 0;
    this.consecutiveTransient = 0;
    this.reopen();
  }

  /** A probing lane that heard from its service goes back to normal. */
  private reopen(): void {
    if (this.health !== 'probing') return;
    this.health = 'up';
    this.probeOut = false;
  }

  /**
   * A name ended on a transient error (UNAVAILABLE, DEADLINE_EXCEEDED, ... after its retries;
   * failing credentials surface so too). Returns true when the lane has just closed: the probe
   * failed as well, so the service is down and the engine ends the queued names.
   */
  onTransient(now: number, job: LaneJob, why: string): boolean {
    this.consecutiveDenied = 0;
    if (this.health === 'closed') return false;
    if (job.probe && this.health === 'probing') {
      this.close(
        `service looks down: ${this.limits.breakerThreshold} names in a row and a probe ended on transient errors (last: ${why})`,
      );
      return true;
    }
    if (++this.consecutiveTransient >= this.limits.breakerThreshold && this.health === 'up') {
      this.health = 'probing';
      this.probeAt = now + this.limits.probeDelayMs;
      this.probeOut = false;
    }
    return false;
  }

  /** A call got past the quota (answered with anything but RESOURCE_EXHAUSTED) after `latencyMs`. */
  onPassed(now: number, latencyMs: number): void {
    this.quota?.onPassed(now, latencyMs);
    if (now - latencyMs >= this.ownPauseEnd) {
      this.ownPauseMs = 0;
      this.quotaProbe = false;
    }
  }

  /**
   * The pause after a quota rejection without RetryInfo (the lane's own schedule, see
   * OWN_PAUSE_MIN_MS): a rejection of a call sent before the current pause began adds nothing.
   */
  ownQuotaDelay(now: number, sentAt: number): number {
    if (sentAt < this.ownPauseEnd - this.ownPauseMs || now < this.pausedUntil)
      return Math.max(0, this.pausedUntil - now);
    if (this.ownPauseMs > 0) this.quotaProbe = true;
    this.ownPauseMs =
      this.ownPauseMs === 0 ? OWN_PAUSE_MIN_MS : Math.min(OWN_PAUSE_MAX_MS, this.ownPauseMs * 2);
    this.ownPauseEnd = now + this.ownPauseMs;
    return this.ownPauseMs;
  }

  /**
   * A quota rejection: pause for the server's RetryInfo delay, and lower the target rate (or,
   * with 'aimd', halve the concurrency at most once per `windowMs`).
   */
  onQuota(now: number, retryDelayMs: number, windowMs = 1000): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + retryDelayMs);
    // The pacing starts again from the pause's end: no catch-up burst into a bucket just emptied.
    this.nextStartAt = Math.max(this.nextStartAt, this.pausedUntil);
    if (this.quota) {
      this.quota.onRejected(now, retryDelayMs);
      return;
    }
    if (now - this.lastDecrease >= windowMs) {
      this.limit = Math.max(1, this.limit / 2);
      this.lastDecrease = now;
    }
  }

  /** Count a denied name; true when the breaker has just opened (the lane is closed). */
  onDenied(): boolean {
    this.consecutiveTransient = 0;
    this.reopen(); // the service answered; the denied breaker below takes it from here
    if (this.health === 'closed' || ++this.consecutiveDenied < this.limits.breakerThreshold) return false;
    this.close(
      `circuit breaker open: ${this.limits.breakerThreshold} consecutive denied results from ${this.id}`,
    );
    return true;
  }

  private close(reason: string): void {
    this.health = 'closed';
    this.closedReason = reason;
  }
}
