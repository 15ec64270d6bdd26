/**
 * The simulated clock: seconds since the run's start, what is due at each moment, and the waits in
 * progress. Waits cost no real time; time moves on only when every execution waits on the clock.
 */

interface Scheduled {
  at: number;
  seq: number;
  what: string;
  run: () => Promise<void> | void;
}

/** A wait in progress: it is over when its condition holds or its deadline has come. */
interface Waiter {
  readonly done: () => boolean;
  readonly deadline: number;
}

/** A few turns of the event loop: what other executions can do without simulated time passing. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
}

/** The simulated account's clock (seconds since the run's start). */
export class SimulatedClock {
  /** Seconds since the start of the run. */
  now = 0;
  private readonly queue: Scheduled[] = [];
  private seq = 0;
  /** The waits in progress ({@link runUntil} calls), each with its condition. */
  private readonly waiters = new Set<Waiter>();
  /** Whether no execution is busy with work that takes no simulated time (time may move on only then). */
  isQuiet: () => boolean = () => true;
  /**
   * Called by the schedules: `sweep` when the sweep schedule is due, `deadlineCheck` when the deadline
   * check is (both at once when their times meet).
   */
  onSweep: (due: { sweep: boolean; deadlineCheck: boolean }) => Promise<void> = async () => undefined;
  /**
   * Real-time pacing (`slipway local serve`, lib/local/serve/pacer.ts): before time moves on to `at`,
   * waits until `at` is due in real time; resolves false when woken earlier (something new was
   * scheduled), and time is then re-planned. Unset, time jumps at once (a local run).
   */
  pacer?: (at: number) => Promise<boolean>;
  /** Called whenever something is scheduled (a paced clock re-plans its wait). */
  onSchedule?: () => void;

  constructor(
    /** The run's start, epoch milliseconds. */
    readonly startMs: number,
    /** How often the sweep schedule runs while something waits (the world's `sweepEverySeconds`, which a redrive's patch may change). */
    private readonly sweepEverySeconds: () => number,
    /** How often the deadline check runs while something waits (the world's `deadlineCheckEverySeconds`); none when undefined. */
    private readonly deadlineCheckEverySeconds: () => number | undefined = () => undefined,
  ) {}

  /** The next time after now that a schedule is due, and which. */
  private nextSchedule(): { at: number; due: { sweep: boolean; deadlineCheck: boolean } } {
    const after = (every: number) => (Math.floor(this.now / every) + 1) * every;
    const sweep = after(this.sweepEverySeconds());
    const every = this.deadlineCheckEverySeconds();
    const check = every === undefined ? Infinity : after(every);
    const at = Math.min(sweep, check);
    return { at, due: { sweep: sweep === at, deadlineCheck: check === at } };
  }

  /** The simulated wall-clock time. */
  isoNow(): string {
    return this.dateAt(this.now).toISOString();
  }

  /** The wall-clock time of a simulated second. */
  dateAt(seconds: number): Date {
    return new Date(this.startMs + seconds * 1000);
  }

  /** Runs `run` at simulated time `at` (seconds since start). */
  schedule(at: number, what: string, run: () => Promise<void> | void): void {
    this.queue.push({ at, seq: this.seq++, what, run });
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.onSchedule?.();
  }

  /**
   * Moves time up to `to` without passing anything due (what is scheduled, and the sweep and the
   * deadline check while something waits): a paced clock follows real time between its scheduled moments.
   */
  catchUp(to: number): void {
    const nextSweep = this.waiters.size > 0 ? this.nextSchedule().at : Infinity;
    const limit = Math.min(this.queue[0]?.at ?? Infinity, nextSweep, to);
    if (limit > this.now) this.now = limit;
  }

  /** Waits `seconds` on the simulated clock while everything else that is due runs (the runner drives the clock). */
  async sleep(seconds: number): Promise<void> {
    // Passive: whoever moves the clock (another execution's wait, or the runner) wakes it up, so two
    // executions never race each other's clocks.
    await new Promise<void>((resolve) => this.schedule(this.now + seconds, 'wake up a waiting execution', resolve));
  }

  /**
   * Advances simulated time, running what is due, until `done()` or `deadline` (then returns false).
   * The sweep schedule runs every `sweepEverySeconds` while something waits.
   */
  async runUntil(done: () => boolean, deadline: number): Promise<boolean> {
    // The deadline is a moment others must not run past either (a release task that ends at t+45 s).
    if (deadline > this.now && deadline - this.now < 31536000) this.schedule(deadline, 'a wait ends', () => undefined);
    const me = { done, deadline };
    this.waiters.add(me);
    try {
      return await this.advance(me, deadline);
    } finally {
      this.waiters.delete(me);
    }
  }

  /** Whether another wait is already over and about to return (time must not move on before it does). */
  private otherWaitIsOver(me: Waiter): boolean {
    for (const w of this.waiters) if (w !== me && (w.done() || this.now >= w.deadline)) return true;
    return false;
  }

  private async advance(me: Waiter, deadline: number): Promise<boolean> {
    const done = me.done;
    let settled = false;
    for (;;) {
      // Let the run's event log record what was entered at the current time before the clock moves on.
      await new Promise((r) => setImmediate(r));
      if (done()) return true;
      const schedule = this.nextSchedule();
      const nextSweep = schedule.at;
      const next = this.queue[0];
      const nextAt = Math.min(next ? next.at : Infinity, nextSweep);
      // This wait's deadline has come: it ends now, without moving the clock.
      if (nextAt > deadline && this.now >= deadline) return done();
      if (nextAt > this.now && (!settled || !this.isQuiet() || this.otherWaitIsOver(me))) {
        // Before time moves on, let executions running beside this one reach their next wait (and
        // schedule their wake-up), so that no one oversleeps.
        await settle();
        settled = true;
        continue;
      }
      if (this.pacer) {
        const target = Math.min(nextAt, deadline);
        if (target > this.now) {
          const before = this.now;
          const reached = await this.pacer(target);
          // While it waited, something may have been scheduled earlier, or another wait moved time: re-plan.
          if (!reached || this.queue[0] !== next || this.now !== before) continue;
        }
      }
      settled = false;
      if (nextAt > deadline) {
        this.now = Math.max(this.now, deadline);
        return done();
      }
      this.now = Math.max(this.now, nextAt);
      if (next && next.at <= nextSweep) {
        this.queue.shift();
        await next.run();
      } else {
        await this.onSweep(schedule.due);
      }
    }
  }
}
