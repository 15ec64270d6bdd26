import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { appAndBuildOf } from '../../domain/names';
import { supersededDeploy } from '../../domain/pipelines';
import { EXECUTION_HISTORY_LIMIT as HISTORY_LIMIT, REDRIVE_WINDOW_DAYS } from '../../domain/executions';
import { isContainer, redriveScope, type Timeline } from '../../domain/execution-history';
import { groupedLabels, scopeLabels, type IterationLevel } from './step-labels';
import { summariseCause } from './failure-causes';

/**
 * Whether a redrive can help an execution, and what it re-runs ({@link assessRedrive}): AWS's redrive
 * status, the 14-day window and the history quota (domain/executions.ts), a Fail state the redrive would
 * re-enter, and what helps instead.
 */

/** A state a redrive would re-run. */
export interface RerunState {
  readonly state: string;
  readonly type: string;
  readonly iteration: IterationLevel[];
}

/** Whether a redrive is possible and would help, and what it re-runs. */
export interface RedriveAssessment {
  /**
   * `possible`: Step Functions accepts it and it re-runs the failed work; `would-not-help`: it would
   * re-enter a Fail state and fail the same way; `not-redrivable`: Step Functions refuses it;
   * `not-failed`: the execution runs or succeeded.
   */
  readonly verdict: 'possible' | 'would-not-help' | 'not-redrivable' | 'not-failed';
  readonly possible: boolean;
  /** DescribeExecution's `redriveStatus`, as AWS gives it, when known. */
  readonly status: string | null;
  /** DescribeExecution's `redriveStatusReason`, as AWS gives it, when known. */
  readonly statusReason: string | null;
  /** Why it is not possible or would not help (one sentence), else null. */
  readonly reason: string | null;
  /** What does help instead (a command), when the verdict is not `possible`. */
  readonly instead: string | null;
  /** The states AWS would re-run ({@link redriveScope}), outermost first. */
  readonly rerun: RerunState[];
  /** The same, for people: leaf states with where they ran, iterations grouped. */
  readonly rerunLabels: string[];
}

/** Why a Fail-state outcome cannot be changed by a redrive, and what does help, by its error. */
function failOutcome(error: string | undefined, cause: string | undefined, failState: string, ctx: { app?: string; build?: string }): { why: string; instead: string } {
  const app = ctx.app ?? '<app>';
  const build = ctx.build ?? '<build>';
  const deploy = `slipway deploy ${app} --build ${build}`;
  const what = summariseCause(cause, { max: 200, error });
  if (error === 'DeploymentSuperseded') {
    return {
      why: `a newer build holds the app (DeploymentSuperseded${what ? `: ${what}` : ''}); a redrive re-enters the Fail state "${failState}" and stops again`,
      instead: `nothing, if the newer build should run; to put build ${build} back on purpose: ${deploy} --force`,
    };
  }
  if (error === 'DeployRefused') {
    return {
      why: `the deploy's input asks for what the app did not build (DeployRefused${what ? `: ${what}` : ''}), and a redrive runs with the same input`,
      instead: `deploy one of the app's own builds: slipway pipelines ${app}, then slipway deploy ${app} --build <N>`,
    };
  }
  if (error === 'InvalidEvent') {
    return {
      why: `the event that started it is malformed (InvalidEvent${what ? `: ${what}` : ''}) and a redrive runs with the same input`,
      instead: ctx.build ? `deploy the build from its record: ${deploy}` : `start a new build, or deploy a recorded one: slipway pipelines ${app}, then slipway deploy ${app} --build <N>`,
    };
  }
  return {
    why: `it ended in the Fail state "${failState}"${error ? ` (${error}${what ? `: ${what}` : ''})` : ''}, which a redrive re-enters and fails again`,
    instead: `fix the cause, then start a new execution: ${deploy}`,
  };
}

/**
 * Can a redrive help this execution, and what would it re-run? In this order: an execution that runs
 * or succeeded has nothing to redrive; DescribeExecution's `redriveStatus` NOT_REDRIVABLE (with its
 * `redriveStatusReason`) wins when present; if the states AWS would re-run include a `Fail` state, the
 * redrive fails again at once, so it "would not help" and the answer says what does; without a
 * `redriveStatus`, the 14-day window and the 25,000-event limit are checked here.
 */
export function assessRedrive(
  timeline: Timeline,
  describe: Pick<DescribeExecutionCommandOutput, 'status' | 'redriveStatus' | 'redriveStatusReason' | 'startDate' | 'stopDate' | 'name' | 'output'> | undefined,
  options: { now: Date; app?: string; build?: string },
): RedriveAssessment {
  const status = describe?.status ?? timeline.execution.status;
  const scope = status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED' ? redriveScope(timeline) : [];
  const rerun = scope.map((e) => ({ state: e.name, type: e.type, iteration: scopeLabels(e.scope, timeline.itemLabels) }));
  const leaves = scope.filter((e) => !isContainer(e) || !scope.some((o) => o.scope.path.length > e.scope.path.length && o.scope.path[e.scope.path.length]?.map === e.name));
  const rerunLabels = groupedLabels(leaves, timeline.itemLabels);
  const ctx = { ...appAndBuildOf(describe?.name), ...(options.app ? { app: options.app } : {}), ...(options.build ? { build: options.build } : {}) };
  const base = { status: describe?.redriveStatus ?? null, statusReason: describe?.redriveStatusReason ?? null, rerun, rerunLabels };
  const newExecution = ctx.app && ctx.build ? `start a new execution: slipway deploy ${ctx.app} --build ${ctx.build}` : 'start a new execution (slipway deploy <app> --build <N>)';
  const no = (verdict: RedriveAssessment['verdict'], reason: string, instead: string | null): RedriveAssessment => ({ ...base, verdict, possible: false, reason, instead });

  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return no('not-failed', status === 'RUNNING' ? 'it is still running' : 'a redrive of it is starting', null);
  const superseded = status === 'SUCCEEDED' ? supersededDeploy(describe?.output) : undefined;
  if (superseded) {
    const by = superseded.supersededBy ? `build ${superseded.supersededBy}` : 'a newer deploy';
    return no('not-failed', `it was superseded by ${by} (a newer build, a rollback or a config redeploy holds the app): it deployed nothing, and there is nothing to redrive`, ctx.app && ctx.build ? `to deploy build ${ctx.build} on purpose: slipway deploy ${ctx.app} --build ${ctx.build} --force` : null);
  }
  if (status === 'SUCCEEDED') return no('not-failed', 'it succeeded: there is nothing to redrive', ctx.app && ctx.build ? `to deploy this build again: slipway deploy ${ctx.app} --build ${ctx.build}` : null);

  const awsReason = describe?.redriveStatusReason ?? null;
  const limit = timeline.eventCount >= HISTORY_LIMIT - 1 || /history/i.test(awsReason ?? '');
  // The window counts from when the execution closed (its last stop: after a redrive, the redrive's).
  const closed = describe?.stopDate;
  const tooOld = closed !== undefined && options.now.getTime() - closed.getTime() > REDRIVE_WINDOW_DAYS * 86_400_000;
  if (describe?.redriveStatus === 'NOT_REDRIVABLE' || (!describe?.redriveStatus && (limit || tooOld))) {
    let reason: string;
    if (limit) reason = `its history reached the ${HISTORY_LIMIT.toLocaleString('en-US')}-event limit`;
    else if (tooOld && closed) reason = `it closed more than ${REDRIVE_WINDOW_DAYS} days ago (${closed.toISOString().slice(0, 10)}): Step Functions redrives an execution only within ${REDRIVE_WINDOW_DAYS} days of when it closed`;
    else reason = awsReason ?? 'Step Functions reports it as not redrivable';
    return no('not-redrivable', awsReason && awsReason !== reason ? `${reason} (Step Functions: ${awsReason})` : reason, newExecution);
  }
  if (describe?.redriveStatus === 'REDRIVABLE_BY_MAP_RUN') return no('not-redrivable', 'a Distributed Map run inside it is being redriven', null);

  const fail = scope.find((e) => e.type === 'Fail');
  if (fail) {
    const { why, instead } = failOutcome(timeline.execution.error, timeline.execution.cause, fail.name, ctx);
    return no('would-not-help', why, instead);
  }
  return { ...base, verdict: 'possible', possible: true, reason: null, instead: null };
}
