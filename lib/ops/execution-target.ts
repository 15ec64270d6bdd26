import { ListExecutionsCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import type { BuildPipelineName as StateMachineName } from '../../domain/pipelines';
import type { BuildRecord } from '../../domain/table';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { UsageError } from './usage-error';
import { assertExecutionOf, aws, checkBuildKey, describeExecution, executionOwner, getBuild, locateApp, NotFound, parseExecutionArn, type AppTarget, type LocateOptions, type OpsClients } from './aws';
import { describeExecutions, PIPELINES } from './execution-refs';

/**
 * Which execution `slipway status` and `slipway redrive` act on: the ARN the operator named, or the last
 * execution of an app's build (also one that failed before the build was recorded).
 */

/**
 * What the operator named: an execution ARN (with `app`, the app it must belong to: `--app`), or an app
 * and a build.
 */
export type ExecutionTarget = { arn: string; app?: string } | { app: string; build: string };

/** Reads `<execution-arn>` or `<app> <build>` (and `--app`) from the command's arguments. */
export function parseExecutionTarget(first: string, second: string | undefined, app?: string): ExecutionTarget {
  if (first.startsWith('arn:')) {
    if (!parseExecutionArn(first)) throw new UsageError(`"${first}" is not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`);
    if (second !== undefined) throw new UsageError('give an execution ARN, or an app and a build number, not both');
    return app !== undefined ? { arn: first, app } : { arn: first };
  }
  if (second === undefined) throw new UsageError(`give an execution ARN, or an app and a build number (e.g. "${first} 42")`);
  if (app !== undefined && app !== first) throw new UsageError(`--app ${app} and the app argument "${first}" differ: give one app`);
  return { app: first, build: checkBuildKey(second) };
}

/** How many failed build executions `status`/`redrive <app> <build>` reads when the build is not recorded. */
export const UNRECORDED_BUILD_SEARCH = 100;

/**
 * A build execution of the app's build N that failed before "Record the build" (so the app's table
 * does not know it): the shared build state machine's latest failed executions, newest first, whose
 * input (the CodeBuild event) is of the app's project and build N. EventBridge names build executions
 * at random, so only their input tells whose they are; other apps' executions are passed over.
 */
export async function findUnrecordedBuildExecution(clients: OpsClients, target: AppTarget, buildKey: string): Promise<DescribeExecutionCommandOutput | undefined> {
  let seen = 0;
  let pages = 0;
  let nextToken: string | undefined;
  do {
    pages += 1;
    const page = await aws(`Step Functions ListExecutions ${target.stateMachines.build}`, () =>
      clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: target.stateMachines.build, statusFilter: 'FAILED', maxResults: UNRECORDED_BUILD_SEARCH - seen, nextToken })),
    );
    const arns = (page.executions ?? []).map((e) => e.executionArn).filter((a): a is string => typeof a === 'string').slice(0, UNRECORDED_BUILD_SEARCH - seen);
    seen += arns.length;
    // Five at a time: gentle on the Step Functions API quotas.
    for (let i = 0; i < arns.length; i += 5) {
      // Another app's execution the caller may not describe (a per-app grant) is not this app's: skipped.
      const described = await Promise.all(arns.slice(i, i + 5).map((arn) => describeExecution(clients, arn).catch((e: Error) => (e.name === 'AccessDenied' ? undefined : Promise.reject(e)))));
      const mine = described.find((d) => {
        const owner = d ? executionOwner(d.name, d.input, target.prefix) : {};
        return owner.app === target.app && owner.build === buildKey;
      });
      if (mine) return mine;
    }
    nextToken = page.nextToken;
  } while (nextToken && seen < UNRECORDED_BUILD_SEARCH && pages < 10);
  return undefined;
}

/**
 * For `<app> <build>`: the execution to look at — the last of build -> release -> deploy that exists
 * (a child starts only when its parent got that far, so it is the failed or the running one); for a
 * build that is not recorded, its failed build execution.
 */
export async function resolveExecution(clients: OpsClients, t: ExecutionTarget, options: LocateOptions): Promise<{ arn: string; target?: AppTarget; build?: BuildRecord; executions?: Record<StateMachineName, DescribeExecutionCommandOutput | undefined> }> {
  if ('arn' in t) return { arn: t.arn };
  const target = await locateApp(clients, t.app, options);
  const build = await getBuild(clients, target, t.build);
  if (!build) {
    const unrecorded = await findUnrecordedBuildExecution(clients, target, t.build);
    if (unrecorded?.executionArn) return { arn: unrecorded.executionArn, target };
    throw new NotFound(`build ${t.build} of app "${t.app}" is not recorded (table ${target.tableName}) and none of the last ${UNRECORDED_BUILD_SEARCH} failed build executions is its: its build pipeline never ran (see slipway pipelines ${t.app})`);
  }
  const { raw } = await describeExecutions(clients, target, build, false);
  const last = [...PIPELINES].reverse().find((p) => raw[p]);
  if (!last) throw new NotFound(`build ${t.build} of app "${t.app}" has no pipeline execution`);
  // The app's records name its executions; a record that names another app's is refused, not acted on.
  assertExecutionOf(target.app, raw[last] as DescribeExecutionCommandOutput, target.prefix);
  return { arn: raw[last]?.executionArn as string, target, build, executions: raw };
}

/**
 * The app and build, for the commands an answer suggests: as the operator named them, else from the
 * execution's name (`<app>--<build>-release`) or input (the app; a build execution has a random name,
 * its input is the CodeBuild event of project `<prefix>-<app>`).
 */
export function namedBuild(t: ExecutionTarget, d: DescribeExecutionCommandOutput, prefix = DEFAULT_PREFIX): { app?: string; build?: string } {
  if ('build' in t) return { app: t.app, build: t.build };
  const owner = executionOwner(d.name ?? parseExecutionArn(t.arn)?.name, d.input, prefix);
  return { ...(owner.app ? { app: owner.app } : {}), ...(owner.build ? { build: owner.build } : {}) };
}

/** With `--app`, an execution named by ARN must be that app's. @throws WrongApp */
export function checkNamedApp(t: ExecutionTarget, d: DescribeExecutionCommandOutput, prefix = DEFAULT_PREFIX): void {
  if ('arn' in t && t.app !== undefined) assertExecutionOf(t.app, d, prefix, true);
}

export async function describeExecutionOrThrow(clients: OpsClients, arn: string): Promise<DescribeExecutionCommandOutput> {
  const d = await describeExecution(clients, arn);
  if (!d) throw new NotFound(`execution ${arn} does not exist (Step Functions keeps closed executions for 90 days)`);
  return d;
}
