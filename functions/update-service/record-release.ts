import { GetItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { APP_NAME, appOfScopedName } from '../../domain/names';
import { readRelease, readReleaseCounter, RELEASE_COUNTER, releaseAttributes, releaseKey, RELEASES_PK, releaseTriggerOf, sameRevisions, type ReleaseCounter, type ReleaseRecord } from '../../domain/releases';
import { dynamoKey } from '../../domain/table';
import { dynamodb } from '../shared/aws/dynamodb';
import { settingsOf } from '../shared/control-plane-context';
import { awsCall, DeployRefused, TransientError } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { parseInput } from '../shared/validation';

/*
 * The deploy's "Number the release" state: after the release is recorded as the app's current one, it
 * gets the next release number in the app's table (domain/releases.ts), with what started it (from the
 * execution's name) and its config version. Safe to run twice: a retry or redrive of the state finds
 * the counter already taken by its own execution and writes the same release again.
 */

const logger = createLogger('update-service');

export const recordReleaseInputSchema = z.looseObject({
  action: z.literal('recordRelease'),
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
  build: z.looseObject({ buildKey: z.string().check(z.minLength(1)), sortKey: z.string().check(z.minLength(1)), image: z.optional(z.string()), commit: z.optional(z.string()) }),
  /** The Map's output: one entry per process type deployed. */
  services: z.array(z.looseObject({ process: z.string().check(z.minLength(1)), taskDefinitionArn: z.string().check(z.minLength(1)) })).check(z.minLength(1)),
  /** `$$.Execution.Id`. */
  executionArn: z.string().check(z.regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/, 'must be an execution ARN')),
  /** `$$.Execution.Name`. */
  execution: z.string().check(z.minLength(1)),
  /** `$$.State.EnteredTime`. */
  at: z.iso.datetime(),
});

/** How many releases a rollback or redeploy looks back through for the one it deploys again. */
export const RELEASE_LOOKBACK = 1000;

/** Optimistic retries of the counter when another deploy of the app numbers a release at the same time. */
const COUNTER_ATTEMPTS = 5;

/** What the state returns. */
export interface RecordedRelease {
  readonly number: number;
  readonly configVersion: number;
  readonly trigger: ReleaseRecord['trigger'];
  readonly sameAs?: number;
}

/**
 * The config version of a new release: a config change takes one more than any release had; a deploy of
 * the revisions of an earlier release (a rollback, a redeploy) takes that release's; any other deploy (a
 * push: new revisions of a new build with the config keys of now) keeps the newest release's.
 */
export function nextConfigVersion(counter: ReleaseCounter, trigger: ReleaseRecord['trigger'], earlier: ReleaseRecord | undefined): number {
  if (counter.last === 0) return 1;
  if (trigger === 'config change') return Math.max(counter.maxConfigVersion, counter.configVersion) + 1;
  if (earlier) return earlier.configVersion;
  return Math.max(counter.configVersion, 1);
}

/** The newest earlier release that ran exactly these revisions (a rollback or redeploy deploys one again). */
async function findEarlierRelease(table: string, processes: ReleaseRecord['processes']): Promise<ReleaseRecord | undefined> {
  let start: Record<string, AttributeValue> | undefined;
  let seen = 0;
  do {
    const page = await awsCall(`DynamoDB Query ${RELEASES_PK} on ${table}`, () =>
      dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: RELEASES_PK } },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 100,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const r = readRelease(item);
      if (r && sameRevisions(r.processes, processes)) return r;
    }
    seen += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && seen < RELEASE_LOOKBACK);
  return undefined;
}

/** Writes a numbered release (the same attributes again on a retry). */
async function writeRelease(table: string, r: ReleaseRecord): Promise<void> {
  const attributes = releaseAttributes(r);
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const sets = Object.entries(attributes).map(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    return `#a${i} = :a${i}`;
  });
  await awsCall(`DynamoDB UpdateItem release ${r.number} on ${table}`, () =>
    dynamodb.send(new UpdateItemCommand({ TableName: table, Key: dynamoKey(releaseKey(r.number)), UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values })),
  );
}

/**
 * Numbers the release the deploy just recorded: the next number of the app's release counter (taken with
 * a conditional write, so two deploys never share one), then the release's item.
 * @throws DeployRefused for an execution not named under the app (the deploy's check refuses those first)
 */
export async function recordRelease(event: unknown): Promise<RecordedRelease> {
  const input = parseInput(recordReleaseInputSchema, event, 'recordRelease input');
  if (appOfScopedName(input.execution) !== input.app) throw new DeployRefused(`release of app ${input.app} not recorded: its deploy execution is named ${input.execution}`);
  const settings = await settingsOf(input.app);
  const table = settings.table;
  const processes = input.services.map((s) => ({ process: s.process, taskDefinitionArn: s.taskDefinitionArn }));
  const trigger = releaseTriggerOf(settings.app, input.execution);
  const base = { buildKey: input.build.buildKey, buildSortKey: input.build.sortKey, image: input.build.image, commit: input.build.commit, processes, trigger, execution: input.executionArn, releasedAt: input.at };

  for (let attempt = 1; attempt <= COUNTER_ATTEMPTS; attempt++) {
    const got = await awsCall(`DynamoDB GetItem ${RELEASE_COUNTER.pk}/${RELEASE_COUNTER.sk} on ${table}`, () => dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(RELEASE_COUNTER), ConsistentRead: true })));
    const counter = readReleaseCounter(got.Item);
    if (counter.lastExecution === input.executionArn && counter.last > 0) {
      // A retry or redrive of this state: the number is ours already.
      const existing = readRelease((await awsCall('DynamoDB GetItem release', () => dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(releaseKey(counter.last)), ConsistentRead: true })))).Item);
      const record: ReleaseRecord = existing ?? { ...base, number: counter.last, configVersion: Math.max(counter.configVersion, 1) };
      if (!existing) await writeRelease(table, record);
      return { number: record.number, configVersion: record.configVersion, trigger: record.trigger, ...(record.sameAs !== undefined ? { sameAs: record.sameAs } : {}) };
    }
    const earlier = trigger === 'push' || trigger === 'config change' || counter.last === 0 ? undefined : await findEarlierRelease(table, processes);
    const configVersion = nextConfigVersion(counter, trigger, earlier);
    const number = counter.last + 1;
    try {
      await awsCall(`DynamoDB UpdateItem ${RELEASE_COUNTER.pk}/${RELEASE_COUNTER.sk} on ${table}`, () =>
        dynamodb.send(
          new UpdateItemCommand({
            TableName: table,
            Key: dynamoKey(RELEASE_COUNTER),
            UpdateExpression: 'SET #last = :n, #lastExecution = :me, #configVersion = :cv, #max = :max, #at = :at',
            ConditionExpression: 'attribute_not_exists(#last) OR #last = :prev',
            ExpressionAttributeNames: { '#last': 'last', '#lastExecution': 'lastExecution', '#configVersion': 'configVersion', '#max': 'maxConfigVersion', '#at': 'updatedAt' },
            ExpressionAttributeValues: {
              ':n': { N: String(number) },
              ':me': { S: input.executionArn },
              ':cv': { N: String(configVersion) },
              ':max': { N: String(Math.max(counter.maxConfigVersion, configVersion)) },
              ':at': { S: input.at },
              ':prev': { N: String(counter.last) },
            },
          }),
        ),
      );
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') continue;
      throw e;
    }
    const record: ReleaseRecord = { ...base, number, configVersion, ...(earlier ? { sameAs: earlier.number } : {}) };
    await writeRelease(table, record);
    logger.info('release numbered', { app: settings.app, number, configVersion, trigger, sameAs: earlier?.number });
    return { number, configVersion, trigger, ...(earlier ? { sameAs: earlier.number } : {}) };
  }
  throw new TransientError(`release of app ${settings.app} not numbered: the release counter changed ${COUNTER_ATTEMPTS} times while this deploy read it (other deploys numbering releases); redrive the deploy`);
}
