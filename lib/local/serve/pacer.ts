import type { SimulatedClock } from '../services/clock';

/**
 * Real-time pacing of the simulated clock for `slipway local serve`: simulated time follows real time
 * at `speed` simulated seconds per real second. Before the clock moves on to its next moment it waits
 * until that moment is due in real time; something scheduled meanwhile wakes it, and it re-plans.
 */
export class RealTimePacer {
  private readonly originReal = Date.now();
  private readonly originSim: number;
  private readonly sleepers = new Set<() => void>();
  private halted = false;

  constructor(
    private readonly clock: SimulatedClock,
    /** Simulated seconds per real second (1: real time). */
    readonly speed: number,
  ) {
    this.originSim = clock.now;
  }

  /** The simulated second that real time has reached. */
  simNow(): number {
    return this.originSim + ((Date.now() - this.originReal) / 1000) * this.speed;
  }

  /** Waits until simulated second `at` is due in real time (true), or until woken (false, time caught up). */
  until(at: number): Promise<boolean> {
    if (this.halted) return new Promise(() => undefined);
    const ms = ((at - this.simNow()) / this.speed) * 1000;
    if (ms <= 0) return Promise.resolve(true);
    return this.sleep(ms).then((reached) => {
      if (!reached) this.clock.catchUp(Math.min(this.simNow(), at));
      return reached;
    });
  }

  /** Waits `ms` of real time (true) or until woken (false). */
  sleep(ms: number): Promise<boolean> {
    if (this.halted) return new Promise(() => undefined);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve(true);
      }, ms);
      this.sleepers.add(wake);
    });
  }

  /** Wakes every wait: something new is due, or a request came in. */
  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** Stops for good: every wait in progress and to come never ends (the endpoint is closing). */
  halt(): void {
    this.halted = true;
    for (const wake of [...this.sleepers]) wake();
  }
}
