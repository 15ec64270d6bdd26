import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { appAndBuildOf } from '../../domain/names';
import { aws, CannotProceed, getFullHistory, parseExecutionArn, pipelineOfArn, type LocateOptions, type OpsClients } from './aws';
import type { RedriveOutput } from './schemas';
import { escapeForTerminal, renderRerun } from './terminal';
import { realClock, type Clock } from './wall-clock';
import { executionConsoleLink, short, supersededOf, supersededText } from './execution-refs';
import { checkNamedApp, describeExecutionOrThrow, namedBuild, resolveExecution, type ExecutionTarget } from './execution-target';
import { followExecution, renderWatched, type FollowOptions } from './follow-execution';
import { buildTimeline } from '../../domain/execution-history';
import { stepLabel } from './step-labels';
import { assessRedrive } from './redrive-advice';

/** `slipway redrive`: redrives a failed execution when the redrive model says it can help. */

/**
 * `slipway redrive`: RedriveExecution of the failed pipeline execution of a build (or the given ARN),
 * only when the model says it can help: an execution that runs or succeeded, one Step Functions reports
 * NOT_REDRIVABLE, and one whose redrive would re-enter a `Fail` state are refused with one line that says
 * why and what helps instead (CannotProceed, exit 1), without calling RedriveExecution. On success the
 * output lists what AWS re-runs: the states with an Entered and no Exited event.
 */
export async function redrive(clients: OpsClients, t: ExecutionTarget, options: LocateOptions & { watch?: FollowOptions | false; clock?: Clock; dryRun?: boolean } = {}): Promise<RedriveOutput> {
  const resolved = await resolveExecution(clients, t, options);
  const arn = resolved.arn;
  const d = await describeExecutionOrThrow(clients, arn);
  checkNamedApp(t, d, options.prefix);
  const name = d.name ?? parseExecutionArn(arn)?.name ?? arn;
  const label = 'build' in t ? `build ${t.build} of "${t.app}": ${name}` : name;
  const timeline = buildTimeline(d.status === 'RUNNING' || d.status === 'SUCCEEDED' ? [] : await getFullHistory(clients, arn));
  const assessment = assessRedrive(timeline, d, { now: (options.clock ?? realClock).now(), ...namedBuild(t, d, options.prefix) });
  if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') {
    throw new CannotProceed(`${label} is ${d.status === 'RUNNING' ? 'still running' : 'being redriven'}; nothing to redrive (follow it with ${'build' in t ? `slipway watch ${t.app} ${t.build}` : `slipway status ${arn}`})`);
  }
  const superseded = supersededOf(pipelineOfArn(arn), d);
  if (superseded) throw new CannotProceed(`${label} was ${supersededText(superseded)}: it deployed nothing and there is nothing to redrive${assessment.instead ? ` (${assessment.instead})` : ''}`);
  if (d.status === 'SUCCEEDED') throw new CannotProceed(`${label} succeeded; nothing to redrive${assessment.instead ? ` (${assessment.instead})` : ''}`);
  if (assessment.verdict === 'would-not-help') throw new CannotProceed(`${label} was not redriven: redrive would not help: ${assessment.reason}. Instead: ${assessment.instead}`);
  if (!assessment.possible) throw new CannotProceed(`${label} cannot be redriven: ${assessment.reason}${assessment.instead ? `. Instead: ${assessment.instead}` : ''}`);
  // A dry run (the dashboard's confirmation) stops here: what would be redriven, nothing done.
  const out = options.dryRun ? { redriveDate: (options.clock ?? realClock).now() } : await aws(`Step Functions RedriveExecution ${arn}`, () => clients.sfn.send(new RedriveExecutionCommand({ executionArn: arn })));
  const watched = options.watch && !options.dryRun ? await followExecution(clients, arn, options.watch) : null;
  return {
    pipeline: pipelineOfArn(arn) ?? null,
    arn,
    name: d.name ?? '',
    failedStep: timeline.failure ? stepLabel(timeline.failure.entry, timeline.itemLabels) : null,
    rerun: assessment.rerun,
    rerunLabels: assessment.rerunLabels,
    redriveDate: (out.redriveDate ?? new Date()).toISOString(),
    redriveCount: (d.redriveCount ?? 0) + 1,
    watched,
  };
}

/** Human output of `redrive`. */
export function renderRedrive(out: RedriveOutput): string {
  const rerun = renderRerun(out.rerun);
  const head = `redrove ${escapeForTerminal(out.name)} (${out.pipeline ?? 'execution'}, redrive ${out.redriveCount}) at ${short(out.redriveDate)}: Step Functions re-runs ${rerun || 'the states still open'}\nconsole: ${executionConsoleLink(out.arn)}`;
  if (!out.watched) return head;
  // A redriven build or release starts the next pipeline itself: say how to follow it.
  const m = out.name.endsWith('-release') ? appAndBuildOf(out.name) : {};
  const next = out.watched.status === 'SUCCEEDED' && out.pipeline !== 'deploy' ? (m.app && m.build ? `\nthe deploy goes on: slipway watch ${escapeForTerminal(m.app)} ${m.build}` : '\nthe next pipeline goes on: slipway pipelines <app>') : '';
  return `${head}\n${renderWatched(out.watched)}${next}`;
}
