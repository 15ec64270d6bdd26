import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { checkBuildKey, getBuild, getFullHistory, locateApp, NotFound, recentBuilds, type LocateOptions, type OpsClients } from './aws';
import type { ExecutionRef, Executions, WatchOutput } from './schemas';
import { escapeForTerminal, formatDuration } from './terminal';
import { realClock } from './wall-clock';
import { describeExecutions, executionRef, isFailed, PIPELINES, seconds, supersededText } from './execution-refs';
import { findUnrecordedBuildExecution } from './execution-target';
import { progressOf, type FollowOptions } from './follow-execution';
import { buildTimeline } from '../../domain/execution-history';
import { summariseCause } from './failure-causes';
import { assessRedrive } from './redrive-advice';

/** `slipway watch <app> [build]`: a build followed through its build, release and deploy pipelines. */

const STAGE_MARK: Record<string, string> = { SUCCEEDED: '✓', FAILED: '✗', TIMED_OUT: '✗', ABORTED: '✗', RUNNING: '…', PENDING_REDRIVE: '…' };

/** How often `watch` looks for a build pipeline that failed before it recorded the build. */
export const WATCH_SEARCH_INTERVAL_MS = 300_000;

/** `slipway watch <app> [build]`: follows a build through build, release and deploy. */
export async function watchPipeline(clients: OpsClients, app: string, buildArg: string | undefined, options: LocateOptions & FollowOptions = {}): Promise<WatchOutput> {
  const clock = options.clock ?? realClock;
  const target = await locateApp(clients, app, options);
  let key = buildArg !== undefined ? checkBuildKey(buildArg) : undefined;
  if (key === undefined) {
    const [latest] = await recentBuilds(clients, target, 1);
    if (!latest) throw new NotFound(`app "${app}" has no recorded builds yet: push a commit, or name a build number`);
    key = latest.buildKey;
  }
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 2 * 3_600_000);
  let last = '';
  let nextSearch = clock.now().getTime();
  const empty: Executions = { build: null, release: null, deploy: null };
  for (;;) {
    const build = await getBuild(clients, target, key);
    let executions = empty;
    let detail = '';
    let outcome: WatchOutput['outcome'] | undefined;
    let message = '';
    if (build) {
      const described = await describeExecutions(clients, target, build, false);
      executions = described.refs;
      const running = PIPELINES.find((p) => described.raw[p]?.status === 'RUNNING');
      if (running) detail = ` — ${await progressOf(clients, described.raw[running]?.executionArn as string, described.raw[running] as DescribeExecutionCommandOutput, clock.now())}`;
      const failed = PIPELINES.find((p) => isFailed(described.raw[p]?.status));
      if (executions.deploy?.superseded) {
        outcome = 'not-deployed';
        message = `build ${key} of "${app}" was not deployed: its deploy was ${supersededText(executions.deploy.superseded)} (nothing to redrive; to deploy it on purpose: slipway deploy ${app} --build ${key} --force)`;
      } else if (executions.deploy?.status === 'SUCCEEDED') {
        outcome = 'deployed';
        message = `build ${key} of "${app}" is deployed`;
      } else if (failed) {
        const full = await describeExecutions(clients, target, build, true);
        executions = full.refs;
        const ref = executions[failed] as ExecutionRef;
        outcome = 'failed';
        const timeline = full.timelines[failed];
        const assessment = timeline ? assessRedrive(timeline, full.raw[failed], { now: clock.now(), app, build: key }) : undefined;
        const next =
          !assessment || assessment.possible
            ? `after fixing the cause: slipway redrive ${app} ${key}`
            : assessment.verdict === 'would-not-help'
              ? `redrive would not help: ${assessment.reason}; instead: ${assessment.instead}`
              : `it cannot be redriven: ${assessment.reason}${assessment.instead ? `; instead: ${assessment.instead}` : ''}`;
        message = `the ${failed} pipeline of build ${key} failed${ref.failedStep ? ` at "${ref.failedStep}"` : ''}: ${ref.error ?? 'no error'}${ref.cause ? ` — ${summariseCause(ref.cause, { max: 300, error: ref.error })}` : ''}. Details: slipway status ${app} ${key}; ${next}`;
      } else if (build.status && build.status !== 'SUCCEEDED' && build.status !== 'IN_PROGRESS' && executions.build?.status === 'SUCCEEDED') {
        outcome = 'build-failed';
        message = `CodeBuild build ${key} ended ${build.status}: nothing to deploy.${build.logLink && build.logLink !== 'none' ? ` Build logs: ${build.logLink}` : ''}`;
      } else if (build.status === 'SUCCEEDED' && executions.build?.status === 'SUCCEEDED' && !executions.release) {
        outcome = 'not-deployed';
        message = `the build pipeline of build ${key} finished without starting a release (a duplicate or ignored event?): see slipway status ${executions.build.arn}`;
      } else if (executions.release?.status === 'SUCCEEDED' && !executions.deploy) {
        outcome = 'not-deployed';
        message = `the release of build ${key} finished without starting a deploy: see slipway status ${executions.release.arn}`;
      }
    } else if (clock.now().getTime() >= nextSearch) {
      // A build pipeline that failed before "Record the build" leaves nothing in the app's table: look
      // for it among the shared build state machine's failed executions, at the start and every 5 minutes
      // (each look may describe up to UNRECORDED_BUILD_SEARCH executions).
      nextSearch = clock.now().getTime() + WATCH_SEARCH_INTERVAL_MS;
      const unrecorded = await findUnrecordedBuildExecution(clients, target, key);
      if (unrecorded?.executionArn) {
        const ref = executionRef('build', unrecorded, buildTimeline(await getFullHistory(clients, unrecorded.executionArn)));
        executions = { build: ref, release: null, deploy: null };
        outcome = 'failed';
        message = `the build pipeline of build ${key} failed before it recorded the build${ref.failedStep ? ` at "${ref.failedStep}"` : ''}: ${ref.error ?? 'no error'}${ref.cause ? ` — ${summariseCause(ref.cause, { max: 300, error: ref.error })}` : ''}. Details: slipway status ${app} ${key}; after fixing the cause: slipway redrive ${app} ${key}`;
      }
    }
    const stages = PIPELINES.map((p) => {
      const ref = executions[p];
      if (!ref) return `${p} ·`;
      const d = ref.durationSeconds ?? seconds(new Date(ref.startedAt), clock.now());
      return `${p} ${STAGE_MARK[ref.status] ?? '?'} ${formatDuration(d)}`;
    }).join('  ');
    const codebuild = build ? (build.status === 'IN_PROGRESS' ? ' (CodeBuild building)' : '') : ' (waiting for CodeBuild)';
    const line = `build ${key}${codebuild}  ${stages}${outcome ? '' : detail}`;
    if (line !== last) options.onProgress?.(line);
    last = line;
    if (outcome) return { app, build: key, outcome, message, executions };
    if (clock.now().getTime() >= deadline) return { app, build: key, outcome: 'timed-out', message: `stopped watching build ${key} after ${formatDuration((options.timeoutMs ?? 7_200_000) / 1000)}; the pipeline goes on`, executions };
    await clock.sleep(options.intervalMs ?? 5000);
  }
}

/** Human output of `watch` (the final line; progress lines are printed while it runs). */
export function renderWatch(out: WatchOutput): string {
  return escapeForTerminal(out.message);
}
