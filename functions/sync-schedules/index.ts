import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  paginateListSchedules,
  UpdateScheduleCommand,
  type GetScheduleCommandOutput,
} from '@aws-sdk/client-scheduler';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { appParameterPath, scheduleGroupName, schedulesParameterName, APP_NAME } from '../../domain/names';
import { dynamoKey, readCurrentRelease, readProcessList, RELEASE_CURRENT } from '../../domain/table';
import { controlPlanePrefix, notServedHere, settingsOf } from '../shared/control-plane-context';
import { parseInput } from '../shared/validation';
import * as z from 'zod/mini';
import { dynamodb } from '../shared/aws/dynamodb';
import { scheduler } from '../shared/aws/scheduler';
import { ssm } from '../shared/aws/ssm';
import { awsCall, getStringFromEnv, InvalidEnvironment, isAwsError } from '../shared/errors';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { parseSchedulesParameter, validateSchedules } from '../../domain/schedules';
import { clusterArnProblem, planSchedules, scheduleRequest, SQS_QUEUE_ARN } from './plan';

const logger = createLogger('sync-schedules');

export const inputSchema = z.object({
  /** The app whose schedules are synced (the schedules state machine passes it). */
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
  /** The schedules execution's name (for the logs). */
  execution: z.optional(z.string()),
});

/** What a sync did (names per change), or why it did nothing. */
export type SyncResult =
  | { readonly state: 'NO_RELEASE'; readonly reason: string; readonly schedules: number }
  | { readonly state: 'NOT_SERVED_HERE'; readonly reason: string }
  | { readonly state: 'SYNCED'; readonly created: string[]; readonly updated: string[]; readonly deleted: string[]; readonly unchanged: string[]; readonly skipped: string[] };

async function readSchedulesParameter(name: string): Promise<string | undefined> {
  try {
    const out = await awsCall(`SSM GetParameter ${name}`, () => ssm.send(new GetParameterCommand({ Name: name })));
    return out.Parameter?.Value;
  } catch (e) {
    if (isAwsError(e, 'ParameterNotFound')) return undefined;
    throw e;
  }
}

async function existingSchedules(group: string): Promise<GetScheduleCommandOutput[]> {
  const names: string[] = [];
  await awsCall(`Scheduler ListSchedules in ${group}`, async () => {
    names.length = 0;
    for await (const page of paginateListSchedules({ client: scheduler }, { GroupName: group })) {
      for (const s of page.Schedules ?? []) if (s.Name) names.push(s.Name);
    }
  });
  const out: GetScheduleCommandOutput[] = [];
  for (const name of names) out.push(await awsCall(`Scheduler GetSchedule ${group}/${name}`, () => scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group }))));
  return out;
}

/**
 * Syncs the app's schedules (app config + the schedules parameter) to its EventBridge Scheduler group:
 * validates every entry first (one invalid entry: InvalidSchedule, nothing changed), then creates the
 * missing, updates the changed and deletes the removed, each pointing at the current release's
 * revision of its process. Safe to re-run: it always converges on the same list.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<SyncResult> {
  addLambdaContext(context);
  const { app } = parseInput(inputSchema, event, 'sync-schedules input');
  const prefix = controlPlanePrefix();
  const roleArn = getStringFromEnv('SCHEDULER_ROLE_ARN');
  const clusterArn = getStringFromEnv('CLUSTER_ARN');
  const deadLetterQueueArn = getStringFromEnv('SCHEDULES_DLQ_ARN');
  const badCluster = clusterArnProblem(clusterArn);
  if (badCluster) throw new InvalidEnvironment(`CLUSTER_ARN: ${badCluster}`);
  if (!SQS_QUEUE_ARN.test(deadLetterQueueArn)) throw new InvalidEnvironment(`SCHEDULES_DLQ_ARN: ${JSON.stringify(deadLetterQueueArn.slice(0, 200))} is not an SQS queue ARN`);
  const parameterName = schedulesParameterName(appParameterPath(prefix, app));
  // Read fresh: a change of the settings (a cdk deploy of the app stack) is one of what starts this sync.
  const settings = await settingsOf(app, true);
  const elsewhere = notServedHere(settings);
  if (elsewhere) return { state: 'NOT_SERVED_HERE', reason: elsewhere };
  // The app's own schedule group (its app stack creates it, named for this control plane); the role and the dead-letter queue are the control plane's.
  const group = scheduleGroupName(prefix, settings.controlPlane, app);
  const tableName = settings.table;
  const fromParameter = parseSchedulesParameter(await readSchedulesParameter(parameterName), parameterName);
  const valid = validateSchedules(
    [...settings.schedules.map((entry) => ({ entry, source: 'config' as const })), ...fromParameter.map((entry) => ({ entry, source: 'parameter' as const }))],
    Object.keys(settings.processes),
  );
  const current = await awsCall(`DynamoDB GetItem RELEASE/CURRENT on ${tableName}`, () =>
    dynamodb.send(new GetItemCommand({ TableName: tableName, Key: dynamoKey(RELEASE_CURRENT), ConsistentRead: true })),
  );
  const released = readProcessList(readCurrentRelease(current.Item)?.processes);
  if (!released) return { state: 'NO_RELEASE', reason: `${settings.app} has no release yet: schedules are synced after its first deploy`, schedules: valid.length };
  const revisions = new Map(released.map((p) => [p.process, p.taskDefinitionArn]));
  const skipped = valid.filter((s) => !revisions.has(s.process)).map((s) => s.name);
  const desired = valid.filter((s) => revisions.has(s.process)).map((s) => scheduleRequest(settings, s, revisions.get(s.process) as string, { group, roleArn, app: settings.app, clusterArn, deadLetterQueueArn }));
  const plan = planSchedules(desired, await existingSchedules(group));

  for (const request of plan.create) {
    try {
      await awsCall(`Scheduler CreateSchedule ${group}/${request.Name}`, () => scheduler.send(new CreateScheduleCommand(request)));
    } catch (e) {
      // Created by an earlier, interrupted run of this sync: bring it up to date instead.
      if (!isAwsError(e, 'ConflictException')) throw e;
      await awsCall(`Scheduler UpdateSchedule ${group}/${request.Name}`, () => scheduler.send(new UpdateScheduleCommand(request)));
    }
  }
  for (const request of plan.update) {
    await awsCall(`Scheduler UpdateSchedule ${group}/${request.Name}`, () => scheduler.send(new UpdateScheduleCommand(request)));
  }
  for (const name of plan.delete) {
    try {
      await awsCall(`Scheduler DeleteSchedule ${group}/${name}`, () => scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: group })));
    } catch (e) {
      if (!isAwsError(e, 'ResourceNotFoundException')) throw e;
    }
  }
  const result = {
    state: 'SYNCED' as const,
    created: plan.create.map((r) => r.Name ?? ''),
    updated: plan.update.map((r) => r.Name ?? ''),
    deleted: plan.delete,
    unchanged: plan.unchanged,
    skipped,
  };
  logger.info('schedules synced', result);
  return result;
}
