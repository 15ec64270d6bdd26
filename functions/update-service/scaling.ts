import { cronExpression, isScheduledOff, type ScaleSchedule } from '../../domain/scale-schedule';
import type { ProcessSettings } from '../../domain/settings';

/** A scalable target's capacity range. */
export interface CapacityRange {
  readonly min: number;
  readonly max: number;
}

/** A scheduled action the deploy puts (PutScheduledAction overwrites one of the same name). */
export interface ScheduledActionPlan {
  readonly name: string;
  /** `cron(...)`, evaluated in `timeZone`. */
  readonly schedule: string;
  readonly timeZone: string;
  readonly min: number;
  readonly max: number;
}

/** What the deploy does to a service's autoscaling registration. */
export interface ScalingPlan {
  /** Register the scalable target with this range; absent: leave the registration as it is. */
  readonly register?: CapacityRange;
  /** Put the CPU target-tracking policy with this target (percent); absent: none. */
  readonly cpuTarget?: number;
  /** Scheduled actions to put (the scale-to-zero schedule). */
  readonly put: readonly ScheduledActionPlan[];
  /** Slipway's scheduled actions to delete (the app no longer scales to zero). */
  readonly delete: readonly string[];
  /** The schedule holds the service at zero now: the deploy must not scale it up. */
  readonly heldDown: boolean;
}

/** What the deploy observed of the service's current registration. */
export interface ObservedScaling {
  /** The registered scalable target, if any. */
  readonly target?: CapacityRange;
  /** Names of the scheduled actions on the service. */
  readonly scheduledActions: readonly string[];
}

/** Name of the scheduled action that scales a service to zero. */
export const stopActionName = (serviceName: string): string => `${serviceName}-scale-to-zero`;
/** Name of the scheduled action that scales a service back up. */
export const startActionName = (serviceName: string): string => `${serviceName}-scale-up`;

/** The range a service runs in: its autoscaling range, or exactly its desired count. */
export function capacityRange(p: ProcessSettings): CapacityRange {
  return p.autoscaling ? { min: p.autoscaling.min, max: p.autoscaling.max } : { min: p.desiredCount, max: p.desiredCount };
}

/**
 * Decides a service's autoscaling registration for a deploy. The config's range applies, except while
 * the scale-to-zero schedule holds the service down: then a deploy never scales it up. "Held down" is
 * what the account says when there is a registration (its max is 0, the stop action's doing), else what
 * the schedule says for `now` (a service created at night is created at zero). The start action always
 * carries the config's range, so the next scheduled scale-out starts tasks of the service's current
 * (newly deployed) revision in the configured range.
 */
export function planScaling(serviceName: string, p: ProcessSettings, schedule: ScaleSchedule | undefined, observed: ObservedScaling, now: Date, stored?: CapacityRange): ScalingPlan {
  const ours = [stopActionName(serviceName), startActionName(serviceName)];
  const stale = observed.scheduledActions.filter((n) => ours.includes(n));
  // A range stored by `slipway scale` (the app's table, domain/releases.ts) outlasts deploys and config
  // changes: it replaces the config's range wherever the config's would apply.
  if (!schedule) {
    return { register: stored ?? (p.autoscaling ? capacityRange(p) : undefined), cpuTarget: p.autoscaling?.cpuTarget, put: [], delete: stale, heldDown: false };
  }
  const range = stored ?? capacityRange(p);
  const heldDown = observed.target ? observed.target.max === 0 : isScheduledOff(schedule, now);
  const zero = { min: 0, max: 0 };
  return {
    register: heldDown ? (observed.target ? undefined : zero) : range,
    cpuTarget: p.autoscaling?.cpuTarget,
    put: [
      { name: stopActionName(serviceName), schedule: cronExpression(schedule.stopAt, schedule.days), timeZone: schedule.timeZone, ...zero },
      { name: startActionName(serviceName), schedule: cronExpression(schedule.startAt, schedule.days), timeZone: schedule.timeZone, ...range },
    ],
    delete: [],
    heldDown,
  };
}

/** The desired count of a new service: its configured count within its range (the stored one if any), or 0 while the schedule holds it down. */
export function initialDesiredCount(p: ProcessSettings, plan: ScalingPlan, stored?: CapacityRange): number {
  if (plan.heldDown) return 0;
  const { min, max } = stored ?? capacityRange(p);
  return Math.max(min, Math.min(p.desiredCount, max));
}
