import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { pipelineExecutionName } from '../../domain/names';
// The build's three pipelines (config-change and schedules executions are not part of a build).
import { supersededDeploy, type BuildPipelineName as StateMachineName } from '../../domain/pipelines';
import type { BuildRecord } from '../../domain/table';
import { describeExecution, executionArn, getFullHistory, parseExecutionArn, pipelineOfArn, type AppTarget, type OpsClients } from './aws';
import type { ExecutionRef, Executions } from './schemas';
import { escapeForTerminal } from './terminal';
import { buildTimeline, type Timeline } from '../../domain/execution-history';
import { stepLabel } from './step-labels';

/**
 * A build's three executions (build, release, deploy) as the pipeline commands find, describe and show
 * them, and the console links they print.
 */
/** A build's pipelines, in the order they run. */
export const PIPELINES: readonly StateMachineName[] = ['build', 'release', 'deploy'];

/** Seconds between two times, to a tenth. */
export const seconds = (from?: Date, to?: Date): number | null => (from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 100) / 10) : null);
export const isoOrNull = (d?: Date): string | null => (d ? d.toISOString() : null);
/** An execution status that a redrive or a fix answers. */
export const isFailed = (status?: string) => status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';

/** Console link of an execution. */
export function executionConsoleLink(arn: string): string {
  const region = parseExecutionArn(arn)?.region ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${arn}`;
}

/** CloudWatch console link to a log group's events between two times. */
export function logGroupLink(region: string, group: string, from: Date, to: Date): string {
  const enc = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${enc(group)}/log-events$3Fstart$3D${from.getTime()}$26end$3D${to.getTime()}`;
}

/** An execution in the form `pipelines` and `watch` show. */
export function executionRef(pipeline: StateMachineName, d: DescribeExecutionCommandOutput, timeline?: Timeline): ExecutionRef {
  const failure = timeline?.failure;
  return {
    pipeline,
    arn: d.executionArn ?? '',
    name: d.name ?? '',
    status: (d.status ?? 'RUNNING') as ExecutionRef['status'],
    startedAt: (d.startDate ?? new Date(0)).toISOString(),
    stoppedAt: isoOrNull(d.stopDate),
    durationSeconds: seconds(d.startDate, d.stopDate),
    failedStep: failure ? stepLabel(failure.entry, timeline?.itemLabels) : null,
    error: d.error ?? null,
    cause: d.cause ?? null,
    redriveCount: d.redriveCount ?? 0,
    superseded: supersededOf(pipeline, d),
  };
}

/** A deploy that SUCCEEDED without deploying (its output's `outcome` "superseded"), else null. */
export function supersededOf(pipeline: string | undefined, d: DescribeExecutionCommandOutput): ExecutionRef['superseded'] {
  const s = pipeline === 'deploy' && d.status === 'SUCCEEDED' ? supersededDeploy(d.output) : undefined;
  return s ? { by: s.supersededBy ?? null, reason: s.reason ?? null } : null;
}

/** "superseded by build N" (or without N when the deploy could not tell). */
export function supersededText(s: NonNullable<ExecutionRef['superseded']>): string {
  return s.by ? `superseded by build ${escapeForTerminal(s.by)}` : 'superseded by a newer deploy';
}

/** The ARNs of a build's three executions: build from the record, release and deploy by name. */
export function executionArnsOf(target: AppTarget, build: BuildRecord): Record<StateMachineName, string | undefined> {
  const failed = build.failedExecution ? pipelineOfArn(build.failedExecution) : undefined;
  // The latest deploy of the build: a CLI deploy or rollback (its own name) records itself on the build
  // too, as deployExecution when it succeeds and failedExecution when it fails.
  const failedDeployIsLatest = failed === 'deploy' && (!build.releasedAt || (build.failedAt ?? '') > build.releasedAt);
  return {
    build: build.recordedBy ?? (failed === 'build' ? build.failedExecution : undefined),
    release: executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')),
    deploy: failedDeployIsLatest ? build.failedExecution : (build.deployExecution ?? executionArn(target, 'deploy', pipelineExecutionName(target.app, build.buildKey, 'deploy'))),
  };
}

/** Describes a build's executions (and, for a failed one, reads its history for the failed step). */
export async function describeExecutions(
  clients: OpsClients,
  target: AppTarget,
  build: BuildRecord,
  withFailedStep: boolean,
): Promise<{ refs: Executions; raw: Record<StateMachineName, DescribeExecutionCommandOutput | undefined>; timelines: Partial<Record<StateMachineName, Timeline>> }> {
  const arns = executionArnsOf(target, build);
  const raw = {} as Record<StateMachineName, DescribeExecutionCommandOutput | undefined>;
  const timelines: Partial<Record<StateMachineName, Timeline>> = {};
  const refs = {} as { -readonly [K in StateMachineName]: ExecutionRef | null };
  for (const p of PIPELINES) {
    const arn = arns[p];
    const d = arn ? await describeExecution(clients, arn) : undefined;
    raw[p] = d;
    const timeline = d && withFailedStep && isFailed(d.status) ? buildTimeline(await getFullHistory(clients, d.executionArn ?? (arn as string))) : undefined;
    if (timeline) timelines[p] = timeline;
    refs[p] = d ? executionRef(p, d, timeline) : null;
  }
  return { refs, raw, timelines };
}

/** An ISO time as `pipelines`, `status` and `redrive` print it. */
export const short = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');
