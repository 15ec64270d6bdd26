import { LocalRun } from '../runner';
import type { WorldFile } from '../world-schema';
import { RealTimePacer } from './pacer';
import { loadState, saveState, stateFingerprint, stateJson } from './state';

/** How the endpoint's account runs. */
export interface ServedAccountOptions {
  /** The world file (as `slipway local run` takes it): the account, its apps and what will happen in it. */
  readonly world?: WorldFile;
  /** The Slipway package (ASL files, the default config). */
  readonly rootDir: string;
  /** Simulated seconds per real second. @default 1 (real time) */
  readonly speed?: number;
  /** Directory whose state.json holds the account between runs; undefined: nothing persists. */
  readonly stateDir?: string;
}

/** The fastest `--speed`: a simulated day in under a second of real time. */
export const MAX_SPEED = 100_000;

/** How often an idle account lets real time reach the simulated clock (ms). */
const IDLE_TICK_MS = 200;

/**
 * The simulated account behind `slipway local serve`: the same account a local run simulates
 * (lib/local/runner.ts, world.ts, services/), living on while the endpoint serves. Executions run in the
 * background on the simulated clock, paced to real time (or `speed` times faster); what it holds is
 * saved to `stateDir` as plain JSON and loaded again on the next start.
 */
export class ServedAccount {
  readonly run: LocalRun;
  readonly pacer: RealTimePacer;
  private readonly releaseMocks: () => void;
  private stopped = false;
  private driving?: Promise<void>;
  private saving?: NodeJS.Timeout;
  private lastSaved = '';

  constructor(readonly options: ServedAccountOptions) {
    const speed = options.speed ?? 1;
    if (!(speed > 0 && speed <= MAX_SPEED)) throw new RangeError(`speed must be above 0 and at most ${MAX_SPEED}, got ${speed}`);
    const saved = options.stateDir ? loadState(options.stateDir) : undefined;
    const world = { ...(options.world ?? {}) } as Record<string, unknown>;
    // The account's clock starts at the saved moment, else now (a world may fix its own start).
    world.startTime = saved?.startTime ?? world.startTime ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    this.run = new LocalRun(world as WorldFile, options.rootDir);
    if (saved) saved.restore(this.run);
    this.lastSaved = options.stateDir ? stateFingerprint(this.run) : '';
    this.releaseMocks = this.run.holdMocks();
    const clock = this.run.world.clock;
    this.pacer = new RealTimePacer(clock, speed);
    clock.pacer = (at) => this.pacer.until(at);
    clock.onSchedule = () => this.pacer.wake();
  }

  /** Starts the clock driver (and the saver): executions started from now on run in the background. */
  start(): void {
    this.driving ??= this.drive();
    if (this.options.stateDir && !this.saving) {
      const dir = this.options.stateDir;
      this.saving = setInterval(() => this.save(dir), 500);
      this.saving.unref();
    }
  }

  /** After a request: the clock driver is woken only if the request started something (a read costs nothing more). */
  poke(): void {
    this.catchUp();
    if (this.run.busy) this.pacer.wake();
  }

  /** Brings the simulated clock up to real time, without passing anything due. */
  catchUp(): void {
    this.run.world.clock.catchUp(this.pacer.simNow());
  }

  /**
   * Drives the clock while executions run or actions are due (runScheduled: paced by the clock's
   * pacer), and lets real time reach the clock while the account is idle.
   */
  private async drive(): Promise<void> {
    while (!this.stopped) {
      if (this.run.busy) {
        await this.run.runScheduled();
        continue;
      }
      await this.pacer.sleep(IDLE_TICK_MS);
      if (this.stopped) break;
      // Whatever came due meanwhile (an ECS deployment of an UpdateService call, a delivered event) runs now.
      this.run.at(this.pacer.simNow(), 'real time passes', () => undefined);
    }
  }

  /**
   * Saves the account when it changed since the last save. The clock's moment alone is no change: it
   * is saved with the next change and when the endpoint stops (a restart after a crash continues the
   * clock from the last change instead). Serializing every execution's history takes long in an account
   * that ran many pipelines, so a cheap fingerprint decides first.
   */
  private save(dir: string, force = false): void {
    const fingerprint = stateFingerprint(this.run);
    if (!force && fingerprint === this.lastSaved) return;
    saveState(dir, stateJson(this.run));
    this.lastSaved = fingerprint;
  }

  /** Stops the clock and saves the account (executions still running are left as they are, unsaved as running). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.saving) clearInterval(this.saving);
    if (this.options.stateDir) this.save(this.options.stateDir, true);
    this.pacer.halt();
    this.run.abandonExecutions();
    this.releaseMocks();
  }
}
