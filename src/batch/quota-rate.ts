/**
 * One service's adaptive quota controller: it converges on the quota's *rate*. Until the first
 * quota rejection it does not pace at all (concurrency alone limits the service). A rejection
 * sets the target rate to the rate the service accepted over the last second times SAFETY; while
 * no rejection arrives the target grows, slowly up to just past the rate last seen accepted
 * (the known ceiling), then faster and faster beyond it (the quota was raised, or was never
 * measured well). Pure arithmetic on the clock it is given (ms): the lane asks it for the
 * pacing and the concurrency that pacing needs.
 */

/** Share of the accepted rate the target is set to on a rejection (a 3 % margin under the quota). */
export const SAFETY = 0.97;
/**
 * Relative growth per second of the target near the known ceiling (4 %, not 2 %: from SAFETY
 * back past the ceiling took 2.5 s at 2 %, and a quota restored after a cut was found 6.0 s
 * after the change in a full-size run, past issue 15's 5 s; the price is a probe twice as often,
 * at 0.2–0.6 % of calls rejected per run).
 */
export const SLOW_GROWTH = 0.04;
/**
 * Past the ceiling (× CEILING_MARGIN) the growth doubles every DOUBLING_MS ... (500 ms rather than
 * 700: ~0.6 s off the climb from 1.02 × to 1.8 × the old ceiling.)
 */
export const CEILING_MARGIN = 1.02;
export const DOUBLING_MS = 500;
/** ... up to this relative growth per second. */
export const MAX_GROWTH = 0.5;
/** Answers counted per bin of the accepted-rate window; WINDOW_BINS bins make the window. */
const BIN_MS = 100;
const WINDOW_BINS = 10;
/** Least time between two decreases: the calls sent before one are still coming back. */
const MIN_COOLDOWN_MS = 200;
/** The target never falls below this (calls/s): a quota of 1/s is still met by RetryInfo pauses. */
const MIN_RATE = 1;
/**
 * Fewer answers than this got past the quota in the last second: it is spent (a per-minute
 * window that ran out), not measured, and the target stays (the pauses hold the lane back).
 */
const MIN_SAMPLES = 10;
/**
 * Between two decreases at least this far apart, with no long pause between them, the server's
 * bucket was empty at both ends, so what got past in between is its refill rate: the quota.
 */
const SATURATED_MIN_MS = 300;
/**
 * A RetryInfo pause longer than this may let the server's bucket overflow, and pauses that add
 * up to more than PAUSED_SHARE of the time between two decreases held the lane back (the
 * rejections of a burst each pause it a little): no refill estimate then.
 */
const SHORT_PAUSE_MS = 100;
const PAUSED_SHARE = 0.1;
/** The target may run ahead of the rate actually accepted by this much (a lane short of work does not grow it). */
const APP_LIMIT = 1.5;

export class QuotaRate {
  /** Calls/s the lane is paced at; undefined before the first rejection (no pacing). */
  target: number | undefined;
  /** The accepted rate measured at the last rejection (calls/s). */
  ceiling = 0;
  /** Smoothed latency of the answered calls, ms. */
  srttMs = 0;
  /** Lowest latency seen: the server's own, without the queueing that more calls in flight add. */
  minRttMs = Infinity;
  private cooldownUntil = -Infinity;
  private lastUpdate = 0;
  /** When the target last went past ceiling × CEILING_MARGIN (-1: not past it). */
  private pastCeilingAt = -1;
  private readonly bins = new Array<number>(WINDOW_BINS).fill(0);
  /** Index (time / BIN_MS) of the newest bin. */
  private binIdx = -1;
  private firstAnswerAt = -1;
  /** Calls past the quota in all, and that count at the last decrease (with its time). */
  private passed = 0;
  private passedAtDecrease = 0;
  private decreaseAt = -Infinity;
  private longPause = false;
  private pausedMs = 0;

  /** `userRate`: the user's ceiling (`--rate`), never exceeded. */
  constructor(private readonly userRate: number | undefined) {}

  /** A call got past the quota (any answer but RESOURCE_EXHAUSTED), `latencyMs` after it was sent. */
  onPassed(now: number, latencyMs: number): void {
    this.advance(now);
    (this.bins as number[])[this.binIdx % WINDOW_BINS]++;
    this.passed++;
    if (this.firstAnswerAt < 0) this.firstAnswerAt = now;
    this.srttMs = this.srttMs === 0 ? latencyMs : this.srttMs * 0.9 + latencyMs * 0.1;
    if (latencyMs < this.minRttMs) this.minRttMs = latencyMs;
  }

  /**
   * Calls/s that got past the quota over the last second (or since the first answer; with
   * `wholeWindow`, over a whole second even when the answers began less than one ago).
   */
  acceptedRate(now: number, wholeWindow = false): number {
    this.advance(now);
    if (this.firstAnswerAt < 0) return 0;
    let n = 0;
    for (const b of this.bins) n += b;
    // The newest bin is only partly over: the window spans the older bins and that part.
    const window = (WINDOW_BINS - 1) * BIN_MS + (now - this.binIdx * BIN_MS);
    const span = wholeWindow ? window : Math.min(window, Math.max(BIN_MS, now - this.firstAnswerAt));
    return (n * 1000) / span;
  }

  /**
   * A quota rejection (followed by a pause of `pauseMs`): set the target from the accepted rate,
   * at most once per cooldown.
   */
  onRejected(now: number, pauseMs = 0): void {
    this.grow(now);
    if (pauseMs > SHORT_PAUSE_MS) this.longPause = true;
    this.pausedMs += pauseMs;
    if (now < this.cooldownUntil) return;
    let n = 0;
    for (const b of this.bins) n += b;
    if (n < MIN_SAMPLES) return;
    // Over a whole second even in the first one: a quota met within it was met by a burst that
    // emptied the server's bucket (commonly one second deep) plus its refill, and that burst's
    // rate, per second, is near the quota, not the burst's own rate (which the lane would then be
    // paced at, and rejected, until the window moved past it: most of a run's rejections).
    let accepted = this.acceptedRate(now, true);
    const since = now - this.decreaseAt;
    const refilled = this.passed - this.passedAtDecrease;
    const heldBack = this.longPause || this.pausedMs > PAUSED_SHARE * since;
    if (since >= SATURATED_MIN_MS && since <= 1000 && !heldBack && refilled >= MIN_SAMPLES)
      accepted = Math.min(accepted, (refilled * 1000) / since);
    this.decreaseAt = now;
    this.passedAtDecrease = this.passed;
    this.longPause = pauseMs > SHORT_PAUSE_MS;
    this.pausedMs = pauseMs;
    const base = this.target === undefined ? accepted : Math.min(this.target, accepted);
    this.ceiling = accepted;
    this.target = this.capped(Math.max(MIN_RATE, base * SAFETY));
    this.pastCeilingAt = -1;
    this.cooldownUntil = now + Math.max(MIN_COOLDOWN_MS, 2 * this.srttMs);
    this.lastUpdate = now;
  }

  /** The pacing rate now (calls/s; undefined: none), after growing the target for the time since the last look. */
  rate(now: number): number | undefined {
    this.grow(now);
    return this.target ?? this.userRate;
  }

  /**
   * The calls in flight the pacing needs: rate × latency (Little's law), doubled for latency
   * spikes, plus a few, under `ceiling`. While nothing is paced: `floor` or, past it, twice the
   * accepted rate × the lowest latency seen, so a lane bound by the server's latency doubles its
   * calls in flight about once a second until the quota answers or the ceiling is reached, and
   * one whose latency is queueing (a busy client or server: the latency grows with the calls in
   * flight) stops growing once it is twice the lowest. With `floor` = `ceiling` (a user's
   * --concurrency) it is exactly that.
   */
  concurrencyFor(now: number, floor: number, ceiling: number): number {
    const rate = this.target ?? this.userRate;
    if (this.srttMs === 0) return floor;
    const need = (r: number, ms: number): number => Math.ceil((2 * r * ms) / 1000) + 4;
    if (rate === undefined)
      // Over a whole second: the first answers' rate over their short span (a burst) would
      // otherwise raise it to the ceiling at once, and a quota would reject all of that.
      return Math.min(ceiling, Math.max(floor, need(this.acceptedRate(now, true), this.minRttMs)));
    return Math.min(ceiling, need(rate, this.srttMs));
  }

  private grow(now: number): void {
    const dt = now - this.lastUpdate;
    this.lastUpdate = now;
    if (this.target === undefined || dt <= 0 || now < this.cooldownUntil) return;
    let growth = SLOW_GROWTH;
    if (this.target >= this.ceiling * CEILING_MARGIN) {
      if (this.pastCeilingAt < 0) this.pastCeilingAt = now;
      growth = Math.min(MAX_GROWTH, SLOW_GROWTH * 2 ** ((now - this.pastCeilingAt) / DOUBLING_MS));
    }
    const limit = Math.max(this.ceiling * CEILING_MARGIN, this.acceptedRate(now) * APP_LIMIT);
    const grown = this.target * Math.exp((growth * dt) / 1000);
    // A lane held back by something else (concurrency, input) does not raise its target past what it uses.
    if (grown > limit) {
      if (this.target < limit) this.target = this.capped(limit);
      return;
    }
    this.target = this.capped(grown);
  }

  private capped(rate: number): number {
    return this.userRate === undefined ? rate : Math.min(this.userRate, rate);
  }

  /** Move the window to `now`, emptying the bins that fell out of it. */
  private advance(now: number): void {
    const idx = Math.floor(now / BIN_MS);
    if (this.binIdx < 0) this.binIdx = idx;
    if (idx <= this.binIdx) return;
    const steps = Math.min(WINDOW_BINS, idx - this.binIdx);
    for (let k = 1; k <= steps; k++) this.bins[(this.binIdx + k) % WINDOW_BINS] = 0;
    this.binIdx = idx;
  }
}
