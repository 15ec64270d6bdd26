import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, type Tag } from '@aws-sdk/client-ecs';
import * as z from 'zod/mini';
import { APP_NAME, appNamePrefix, appOfScopedName, legacyTaskDefinitionFamily, PROCESS_NAME, TAG_APP, TAG_BUILD, taskDefinitionOfArn } from '../../domain/names';
import { buildRecordKey, dynamoKey, readBuildRecord, type BuildRecord } from '../../domain/table';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { controlPlanePrefix, notServedHere, settingsOf } from '../shared/control-plane-context';
import { awsCall, DeployRefused, isAwsError } from '../shared/errors';
import type { AppSettings } from '../../domain/settings';
import { parseInput } from '../shared/validation';

/*
 * The deploy machine is shared by every app of a cluster, and an app's operators may start it by hand
 * (`slipway deploy`, `rollback`, or StartExecution with any input). So the deploy trusts nothing in its
 * input that selects a resource: its first Task ("Check the build against the app's records") sends the
 * input here, and the deploy continues with what this returns: the app's table from its own settings, the
 * build from the app's own build record, and each process's task definition only if it is a revision of
 * that app's family for that process which that build registered (the tags register-task-definitions
 * puts on it). Anything else is DeployRefused, before any ECS service is touched.
 */

export const checkDeployInputSchema = z.looseObject({
  action: z.literal('checkDeploy'),
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
  build: z.looseObject({ buildKey: z.string().check(z.regex(/^(\d{1,10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/, 'must be a build key (a build number or a build uuid)')) }),
  processes: z.array(z.looseObject({ name: z.string().check(z.regex(PROCESS_NAME, 'must be a process type name')), taskDefinitionArn: z.string() })).check(z.minLength(1)),
  /** The deploy execution's own name (`$$.Execution.Name`). */
  execution: z.string().check(z.minLength(1)),
});

export type CheckDeployInput = z.infer<typeof checkDeployInputSchema>;

/** One process of a checked deploy. */
export interface CheckedProcess {
  readonly name: string;
  readonly taskDefinitionArn: string;
}

/**
 * Why a task-definition ARN is not a revision the app's process may run, judged from the ARN alone
 * (family and where it lives), or undefined when it may be. The region and account are the settings'
 * (the cluster's ARN says the account; a cluster given by name says none).
 */
export function revisionProblem(settings: Pick<AppSettings, 'app' | 'region' | 'cluster' | 'processes'>, process: string, arn: string, prefix: string): string | undefined {
  const p = settings.processes[process];
  if (!p) return `process "${process}" is not one of app ${settings.app}'s processes (${Object.keys(settings.processes).join(', ')})`;
  const td = taskDefinitionOfArn(arn);
  if (!td) return `${JSON.stringify(arn.slice(0, 300))} is not a task-definition revision ARN`;
  // A revision registered before the upgrade to `--` names is of the legacy family, which two apps may
  // share: its tags decide ({@link revisionTagsProblem}).
  if (td.family !== p.family && td.family !== legacyTaskDefinitionFamily(prefix, settings.app, process)) {
    return `${arn} is a revision of family ${td.family}, not of ${p.family} (app ${settings.app}, process ${process})`;
  }
  const [, , , region, account] = arn.split(':');
  if (region !== settings.region) return `${arn} is in region ${region}, app ${settings.app} runs in ${settings.region}`;
  const clusterAccount = settings.cluster.startsWith('arn:') ? settings.cluster.split(':')[4] : undefined;
  if (clusterAccount !== undefined && account !== clusterAccount) return `${arn} is in account ${account}, app ${settings.app}'s cluster is in ${clusterAccount}`;
  return undefined;
}

/** Why a revision's tags do not say it was registered for the app's build, or undefined when they do. */
export function revisionTagsProblem(app: string, buildKey: string, arn: string, tags: readonly Tag[] | undefined): string | undefined {
  const tag = (key: string) => tags?.find((t) => t.key === key)?.value;
  if (tag(TAG_APP) !== app) return `${arn} was not registered for app ${app} (its ${TAG_APP} tag is ${JSON.stringify(tag(TAG_APP) ?? null)})`;
  if (tag(TAG_BUILD) !== buildKey) return `${arn} was not registered for build ${buildKey} (its ${TAG_BUILD} tag is ${JSON.stringify(tag(TAG_BUILD) ?? null)})`;
  return undefined;
}

/** Why the app's record of a build does not allow deploying it, or undefined when it does. */
export function buildRecordProblem(app: string, buildKey: string, record: BuildRecord | undefined): string | undefined {
  if (!record) return `app ${app} has no record of build ${buildKey}: only a build of the app's own project can be deployed`;
  if (record.status !== 'SUCCEEDED') return `build ${buildKey} of app ${app} is ${record.status ?? 'without a status'}, not SUCCEEDED: only a successful build can be deployed`;
  if (!record.image) return `the record of build ${buildKey} of app ${app} names no image`;
  return undefined;
}

/**
 * The deploy's first Task: the deploy input with the table, build and processes replaced by the app's own.
 * @throws DeployRefused when the input asks for anything the app did not build
 */
export async function checkDeploy(event: unknown): Promise<Record<string, unknown>> {
  const input = parseInput(checkDeployInputSchema, event, 'deploy input');
  const refuse = (why: string): never => {
    throw new DeployRefused(`deploy of app ${input.app} refused: ${why}`);
  };
  // The app's policies reach the executions named <app>--*: a deploy of this app under another name (or
  // under another app's) would be managed by the wrong people.
  if (appOfScopedName(input.execution) !== input.app) refuse(`its execution is named ${input.execution}, and a deploy of app ${input.app} must be named ${appNamePrefix(input.app)}... (slipway deploy names it so)`);
  const settings = await settingsOf(input.app);
  const elsewhere = notServedHere(settings);
  if (elsewhere) refuse(elsewhere);
  const buildKey = input.build.buildKey;

  // Everything that can be judged without a call first.
  const seen = new Set<string>();
  for (const p of input.processes) {
    if (seen.has(p.name)) refuse(`process ${p.name} is listed twice`);
    seen.add(p.name);
    const problem = revisionProblem(settings, p.name, p.taskDefinitionArn, controlPlanePrefix());
    if (problem) refuse(problem);
  }

  const item = await awsCall(`DynamoDB GetItem build ${buildKey}`, () => dynamodb.send(new GetItemCommand({ TableName: settings.table, Key: dynamoKey(buildRecordKey(buildKey)), ConsistentRead: true })));
  const record = item.Item ? readBuildRecord(item.Item) : undefined;
  const recordProblem = buildRecordProblem(settings.app, buildKey, record);
  if (recordProblem || !record) return refuse(recordProblem ?? 'no build record');

  const processes: CheckedProcess[] = [];
  for (const p of input.processes) {
    let described;
    try {
      described = await awsCall(`ECS DescribeTaskDefinition ${p.taskDefinitionArn}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: p.taskDefinitionArn, include: ['TAGS'] })));
    } catch (e) {
      // ECS answers a revision it does not hold with ClientException ("Unable to describe task definition").
      if (isAwsError(e, 'ClientException')) return refuse(`${p.taskDefinitionArn} is not a task definition ECS holds (${e.message})`);
      throw e;
    }
    const problem = revisionTagsProblem(settings.app, buildKey, p.taskDefinitionArn, described.tags);
    if (problem) refuse(problem);
    processes.push({ name: p.name, taskDefinitionArn: p.taskDefinitionArn });
  }

  const { action: _action, execution: _execution, ...rest } = input;
  return {
    ...rest,
    app: settings.app,
    table: settings.table,
    build: { ...input.build, buildKey: record.buildKey, sortKey: record.sortKey, image: record.image, commit: record.commit ?? '' },
    processes,
  };
}
