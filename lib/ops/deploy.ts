import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { cliExecutionName, pipelineExecutionName } from '../../domain/names';
import type { BuildRecord } from '../../domain/table';
import { aws, CannotProceed, checkBuildKey, describeExecution, executionArn, getBuild, getCurrentRelease, getDeployClaim, locateApp, NotFound, type AppTarget, type LocateOptions, type OpsClients } from './aws';
import type { DeployOutput } from './schemas';
import { realClock, type Clock } from './wall-clock';
import { executionConsoleLink } from './execution-refs';
import { followExecution, renderWatched, type FollowOptions } from './follow-execution';

/** `slipway deploy <app> --build N` (and the deploy that `rollback` starts): a recorded build deployed again. */

interface DeployInput {
  build: Record<string, unknown>;
  processes: { name: string; taskDefinitionArn: string }[];
  deployTimeoutSeconds: number;
}

/** What the deploy state machine needs for a recorded build: the release's input, else the build record. */
async function deployInputFor(clients: OpsClients, target: AppTarget, build: BuildRecord, releaseProcesses?: DeployInput['processes']): Promise<DeployInput> {
  const release = await describeExecution(clients, executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')));
  let fromRelease: Partial<DeployInput> = {};
  try {
    fromRelease = JSON.parse(release?.input ?? '{}') as Partial<DeployInput>;
  } catch {
    /* unreadable input: fall back to the record */
  }
  const processes = releaseProcesses ?? build.releaseProcesses?.map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn })) ?? fromRelease.processes;
  if (!processes || processes.length === 0) {
    throw new CannotProceed(`build ${build.buildKey} has no registered task definitions (its build pipeline stopped before "Register task definitions"${build.pipelineError ? `: ${build.pipelineError}` : ''}): nothing to deploy; redrive its build pipeline first (slipway redrive ${target.app} ${build.buildKey})`);
  }
  const deployTimeoutSeconds = typeof fromRelease.deployTimeoutSeconds === 'number' ? fromRelease.deployTimeoutSeconds : target.settings.deployTimeoutSeconds;
  const recorded: Record<string, unknown> = {
    project: build.project,
    buildId: build.buildId,
    buildKey: build.buildKey,
    sortKey: build.sortKey,
    status: build.status,
    commit: build.commit ?? 'unknown',
    image: build.image,
    logLink: build.logLink ?? 'none',
    eventTime: build.eventTime,
  };
  return { build: fromRelease.build && typeof fromRelease.build === 'object' ? fromRelease.build : recorded, processes, deployTimeoutSeconds };
}

/** Options of `deploy` and `rollback`. */
export interface DeployOptions extends LocateOptions {
  readonly clock?: Clock;
  /** Deploy even when a newer build holds the app. */
  readonly force?: boolean;
  readonly watch?: FollowOptions | false;
  /** Check everything and say what would start, without starting it (the dashboard's confirmation). */
  readonly dryRun?: boolean;
}

/** A numbered release to deploy again (`rollback --to v<n>`): its revisions instead of the build's latest. */
export interface ReleaseOverride {
  readonly number: number;
  readonly processes: { name: string; taskDefinitionArn: string }[];
}

export async function startDeploy(clients: OpsClients, target: AppTarget, build: BuildRecord, kind: 'deploy' | 'rollback', force: boolean, from: string | null, options: DeployOptions, release?: ReleaseOverride): Promise<DeployOutput> {
  if (build.status !== undefined && build.status !== 'SUCCEEDED') throw new CannotProceed(`build ${build.buildKey} of "${target.app}" did not succeed in CodeBuild (${build.status}): there is no image to deploy`);
  if (!build.image || build.image === 'none') throw new CannotProceed(`build ${build.buildKey} of "${target.app}" has no image recorded`);
  const input = await deployInputFor(clients, target, build, release?.processes);
  const clock = options.clock ?? realClock;
  const name = cliExecutionName(target.app, build.buildKey, kind === 'deploy' ? 'redeploy' : 'rollback', clock.now());
  // The shared deploy state machine reads and writes the app's records in the table its input names.
  const body = { app: target.app, table: target.tableName, build: input.build, processes: input.processes, deployTimeoutSeconds: input.deployTimeoutSeconds, force };
  if (options.dryRun) {
    return { app: target.app, kind, build: build.buildKey, from, force, arn: executionArn(target, 'deploy', name), name, startedAt: clock.now().toISOString(), processes: input.processes, watched: null };
  }
  const started = await aws(`Step Functions StartExecution ${target.stateMachines.deploy}`, () =>
    clients.sfn.send(new StartExecutionCommand({ stateMachineArn: target.stateMachines.deploy, name, input: JSON.stringify(body) })),
  ).catch((e: Error) => {
    if (/ExecutionAlreadyExists/.test(e.message)) throw new CannotProceed(`a deploy named ${name} was started a moment ago: wait a second and try again`);
    throw e;
  });
  const arn = started.executionArn ?? executionArn(target, 'deploy', name);
  const watched = options.watch ? await followExecution(clients, arn, options.watch) : null;
  return { app: target.app, kind, build: build.buildKey, from, force, arn, name, startedAt: (started.startDate ?? clock.now()).toISOString(), processes: input.processes, ...(release ? { release: release.number } : {}), watched };
}

/** `slipway deploy <app> --build N`: deploys a recorded build again, without rebuilding. */
export async function deployBuild(clients: OpsClients, app: string, buildArg: string, options: DeployOptions = {}): Promise<DeployOutput> {
  const key = checkBuildKey(buildArg);
  const target = await locateApp(clients, app, options);
  const build = await getBuild(clients, target, key);
  if (!build) throw new NotFound(`build ${key} of app "${app}" is not recorded (see slipway pipelines ${app})`);
  const claim = await getDeployClaim(clients, target);
  if (claim && claim.buildSortKey > build.sortKey && !options.force) {
    throw new CannotProceed(`build ${key} is older than build ${claim.buildKey}, which holds the app: pass --force to deploy it anyway, or use slipway rollback ${app} --to ${key}`);
  }
  const current = await getCurrentRelease(clients, target);
  return startDeploy(clients, target, build, 'deploy', options.force ?? false, current?.buildKey ?? null, options);
}

/** Human output of `deploy` and `rollback`. */
export function renderDeploy(out: DeployOutput): string {
  const what = out.kind === 'rollback' ? `rolling back ${out.app} from build ${out.from ?? '?'} to build ${out.build}` : `deploying build ${out.build} of ${out.app}${out.from ? ` (current: ${out.from})` : ''}`;
  const lines = [`${what}${out.force ? ' (forced)' : ''}: started ${out.name}`, `processes: ${out.processes.map((p) => `${p.name} -> ${p.taskDefinitionArn.slice(p.taskDefinitionArn.lastIndexOf('/') + 1)}`).join(', ')}`, `console: ${executionConsoleLink(out.arn)}`];
  if (out.watched) lines.push(renderWatched(out.watched));
  return lines.join('\n');
}
