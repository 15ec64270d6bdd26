import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { logStreamLink, taskLogStreamName } from '../../domain/names';
import { aws, functionLogGroup, getFullHistory, parseExecutionArn, pipelineOfArn, type LocateOptions, type OpsClients } from './aws';
import type { StatusOutput } from './schemas';
import { escapeForTerminal, formatDuration, renderRedriveVerdict, renderSteps } from './terminal';
import { realClock, type Clock } from './wall-clock';
import { executionConsoleLink, isoOrNull, logGroupLink, seconds, short, supersededOf, supersededText } from './execution-refs';
import { checkNamedApp, describeExecutionOrThrow, namedBuild, resolveExecution, type ExecutionTarget } from './execution-target';
import { buildTimeline, type Timeline } from '../../domain/execution-history';
import { scopeLabels, whereLabel } from './step-labels';
import { stepsOf } from './execution-steps';
import { ecsTaskOfCause, summariseCause } from './failure-causes';
import { assessRedrive, type RedriveAssessment } from './redrive-advice';

/** `slipway status`: an execution's timeline, its failure with its log link, and the redrive verdict. */

const CONSOLE_LOG_URL = /https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudwatch\/[^\s"'\\]+/;

/** The CloudWatch Logs link of the Lambda function or ECS task that failed. */
async function failureLogLink(clients: OpsClients, timeline: Timeline, d: DescribeExecutionCommandOutput, region: string): Promise<string | null> {
  const failure = timeline.failure;
  if (!failure) return null;
  const fromCause = [failure.cause, timeline.execution.cause, d.cause].map((c) => (c ? CONSOLE_LOG_URL.exec(c)?.[0] : undefined)).find(Boolean);
  if (fromCause) return fromCause;
  const attempt = failure.attempt;
  if (!attempt) return null;
  let params: Record<string, unknown> = {};
  try {
    params = JSON.parse(attempt.parameters ?? '{}') as Record<string, unknown>;
  } catch {
    /* no execution data */
  }
  if (attempt.resourceType === 'lambda' && typeof params.FunctionName === 'string') {
    const group = await functionLogGroup(clients, params.FunctionName);
    const from = new Date(attempt.scheduledAt.getTime() - 60_000);
    const to = new Date((attempt.endedAt ?? attempt.scheduledAt).getTime() + 60_000);
    return logGroupLink(region, group, from, to);
  }
  if (attempt.resourceType === 'ecs') {
    const taskArn = ecsTaskOfCause(attempt.cause)?.taskArn ?? submittedTaskArn(attempt.submitted);
    let input: { release?: { logGroup?: string; containerName?: string; region?: string } } = {};
    try {
      input = JSON.parse(d.input ?? '{}');
    } catch {
      /* not JSON */
    }
    const release = input.release;
    if (taskArn && release?.logGroup && release.containerName) {
      const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
      return logStreamLink(release.region ?? region, release.logGroup, taskLogStreamName(release.containerName, taskId));
    }
  }
  return null;
}

/** RunTask's answer when the `.sync` task was submitted (`{"Tasks": [{"TaskArn": ...}]}`): the task's ARN. */
function submittedTaskArn(submitted: string | undefined): string | undefined {
  try {
    const out = JSON.parse(submitted ?? '{}') as { Tasks?: { TaskArn?: unknown; taskArn?: unknown }[]; tasks?: { taskArn?: unknown }[] };
    const task = (out.Tasks ?? out.tasks ?? [])[0] as { TaskArn?: unknown; taskArn?: unknown } | undefined;
    const arn = task?.TaskArn ?? task?.taskArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}

/** The status output's `redrive` object from the model's assessment. */
function redriveOf(a: RedriveAssessment): StatusOutput['redrive'] {
  return { verdict: a.verdict, possible: a.possible, status: a.status, statusReason: a.statusReason, reason: a.reason, instead: a.instead, rerun: a.rerun };
}

/** `slipway status`: the timeline of an execution, its failure and whether a redrive can help. */
export async function executionStatus(clients: OpsClients, t: ExecutionTarget, options: LocateOptions & { clock?: Clock } = {}): Promise<StatusOutput> {
  const { arn } = await resolveExecution(clients, t, options);
  const d = await aws(`Step Functions DescribeExecution ${arn}`, () => describeExecutionOrThrow(clients, arn));
  checkNamedApp(t, d, options.prefix);
  const events = await getFullHistory(clients, arn);
  const timeline = buildTimeline(events);
  const region = parseExecutionArn(arn)?.region ?? 'us-east-1';
  const failure = timeline.failure;
  const logLink = failure ? await failureLogLink(clients, timeline, d, region) : null;
  const assessment = assessRedrive(timeline, d, { now: (options.clock ?? realClock).now(), ...namedBuild(t, d, options.prefix) });
  return {
    execution: {
      arn,
      name: d.name ?? parseExecutionArn(arn)?.name ?? '',
      pipeline: pipelineOfArn(arn) ?? null,
      status: (d.status ?? timeline.execution.status) as StatusOutput['execution']['status'],
      startedAt: (d.startDate ?? timeline.execution.startedAt ?? new Date(0)).toISOString(),
      stoppedAt: isoOrNull(d.stopDate),
      durationSeconds: seconds(d.startDate, d.stopDate),
      redriveCount: d.redriveCount ?? 0,
      consoleLink: executionConsoleLink(arn),
      superseded: supersededOf(pipelineOfArn(arn), d),
    },
    steps: stepsOf(timeline),
    failure: failure
      ? {
          state: failure.entry.name,
          iteration: scopeLabels(failure.entry.scope, timeline.itemLabels),
          at: isoOrNull(failure.attempt?.endedAt ?? failure.entry.exitedAt),
          error: failure.error ?? null,
          cause: failure.cause ?? null,
          summary: summariseCause(failure.cause ?? d.cause, { logLink: ecsTaskOfCause(failure.cause ?? d.cause) ? logLink : null, error: failure.error ?? d.error }),
          executionError: d.error ?? timeline.execution.error ?? null,
          executionCause: d.cause ?? timeline.execution.cause ?? null,
          logLink,
        }
      : null,
    redrive: redriveOf(assessment),
    eventCount: timeline.eventCount,
  };
}

/** Human output of `status`. */
export function renderStatus(out: StatusOutput): string {
  const e = out.execution;
  const lines = [
    `${escapeForTerminal(e.name)} (${e.pipeline ?? 'execution'}): ${e.status}, started ${short(e.startedAt)}, ${e.stoppedAt ? `took ${formatDuration(e.durationSeconds)}` : 'running'}${e.redriveCount > 0 ? `, redriven ${e.redriveCount}×` : ''}`,
    `console: ${escapeForTerminal(e.consoleLink)}`,
    '',
    ...renderSteps(out.steps, { causes: false }),
  ];
  if (out.failure) {
    const f = out.failure;
    const where = f.iteration.length > 0 ? ` (${escapeForTerminal(whereLabel(f.iteration))})` : '';
    lines.push('', `failed at: ${escapeForTerminal(f.state)}${where}${f.at ? `, ${short(f.at)}` : ''}`, `error: ${escapeForTerminal(f.error)}`, `cause: ${escapeForTerminal(f.summary)}`);
    if (f.executionError && f.executionError !== f.error) lines.push(`execution error: ${escapeForTerminal(f.executionError)}${f.executionCause && f.executionCause !== f.cause ? ` — ${escapeForTerminal(summariseCause(f.executionCause, { error: f.executionError }))}` : ''}`);
    lines.push(`logs: ${f.logLink ? escapeForTerminal(f.logLink) : 'no log link (see the console)'}`);
  }
  if (e.superseded) lines.push('', `${supersededText(e.superseded)}: nothing was deployed, and there is nothing to redrive${out.redrive.instead ? ` (${escapeForTerminal(out.redrive.instead)})` : ''}`);
  if (e.status !== 'RUNNING' && e.status !== 'SUCCEEDED') lines.push(...renderRedriveVerdict(out.redrive, `slipway redrive ${e.arn}`));
  return lines.join('\n');
}
