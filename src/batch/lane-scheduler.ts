import { ServiceLane, type LaneJob } from './service-lane';

export interface SchedulerLimits {
  /** Calls in flight per service. */
  concurrency: number;
  /** Calls in flight a service starts with, when the rate controller may go up to `concurrency`. */
  initialConcurrency?: number | undefined;
  /** Most calls per service in any one-second window; undefined for none. */
  ratePerSecond: number | undefined;
  breakerThreshold: number;
  probeDelayMs: number;
  /** Calls in flight across all services. */
  maxInFlight: number;
  /** Services (lanes) in one run. */
  maxServices: number;
  /** What a quota rejection adjusts (see LaneLimits). */
  quotaControl?: 'rate' | 'aimd' | undefined;
}

/**
 * The batch's scheduler: it owns the services' lanes, the run's in-flight slots and the timer
 * that starts what a rate or a pause held back. Calls are started through `startCall`; the only
 * way to free a slot is `finished` (or `requeue`, which is a finish that puts the job back).
 * Lanes are served round robin, one start each per round, so no service waits behind another.
 */
export class LaneScheduler {
  private readonly lanes = new Map<string, ServiceLane>();
  private readonly list: ServiceLane[] = [];
  private cursor = 0;
  private inflight = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    private readonly limits: SchedulerLimits,
    private readonly startCall: (lane: ServiceLane, job: LaneJob) => void,
    /** Told of each new lane before anything starts on it (the batch holds a rate-limited lane until it is connected). */
    private readonly onNewLane?: (lane: ServiceLane) => void,
  ) {}

  /** The lane of `service`, made on first use; undefined once the run has `maxServices` lanes. */
  laneFor(service: string): ServiceLane | undefined {
    let lane = this.lanes.get(service);
    if (lane) return lane;
    if (this.lanes.size >= this.limits.maxServices) return undefined;
    const { concurrency, initialConcurrency, ratePerSecond, breakerThreshold, probeDelayMs, quotaControl } =
      this.limits;
    lane = new ServiceLane(service, {
      concurrency,
      initialConcurrency,
      ratePerSecond,
      breakerThreshold,
      probeDelayMs,
      quotaControl,
    });
    this.lanes.set(service, lane);
    this.list.push(lane);
    this.onNewLane?.(lane);
    return lane;
  }

  /** Queue `job` on its lane and start what may start. */
  submit(lane: ServiceLane, job: LaneJob): void {
    lane.push(job);
    this.pump();
  }

  /** A call of `lane` is over: free its slot and start what may start. */
  finished(lane: ServiceLane): void {
    lane.inflight--;
    this.inflight--;
    this.pump();
  }

  /** A call of `lane` goes back to the front of its queue (a quota rejection): its slot is freed. */
  requeue(lane: ServiceLane, job: LaneJob): void {
    lane.unshift(job);
    this.finished(lane);
  }

  /** Nothing new starts from now on; every queued job is handed back (for its not-attempted record). */
  stop(): LaneJob[] {
    this.stopped = true;
    this.dispose();
    const jobs: LaneJob[] = [];
    for (const lane of this.list) jobs.push(...lane.drain());
    return jobs;
  }

  /** Any call in flight or queued. */
  get busy(): boolean {
    for (const lane of this.list) if (lane.inflight > 0 || lane.queued > 0) return true;
    return false;
  }

  /** Names queued or in flight. */
  get pending(): number {
    let n = 0;
    for (const lane of this.list) n += lane.queued + lane.inflight;
    return n;
  }

  /** Start every call that may start now, and arm the timer for the soonest one held back. */
  pump(): void {
    if (this.stopped) return;
    const now = performance.now();
    let soonest = Infinity;
    const n = this.list.length;
    for (let started = true; started && this.inflight < this.limits.maxInFlight; ) {
      started = false;
      for (let k = 0; k < n && this.inflight < this.limits.maxInFlight; k++) {
        const lane = this.list[(this.cursor + k) % n] as ServiceLane;
        const next = lane.next(now);
        if (next === undefined) continue;
        if (typeof next === 'number') {
          soonest = Math.min(soonest, next);
          continue;
        }
        this.inflight++;
        started = true;
        this.startCall(lane, next);
      }
    }
    // The first service looked at turns too, so none waits behind another for the freed slots.
    if (n > 1) this.cursor = (this.cursor + 1) % n;
    if (soonest < Infinity && soonest < this.timerAt) {
      if (this.timer) clearTimeout(this.timer);
      this.timerAt = soonest;
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.timerAt = Infinity;
          this.pump();
        },
        Math.max(1, soonest - now),
      );
    }
  }

  /** Clear the timer (the run is over). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
