import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import { EXECUTION_MARKER_TTL_SECONDS, MILESTONE_SOURCE } from '../../domain/constants';
import { appOfExecutionInput, EXECUTION_STATUSES } from '../../domain/executions';
import { appsParameterRoot } from '../../domain/names';
import { EXECUTION_STATUS_DETAIL_TYPE, supersededDeploy, type Milestone, type StateMachineName } from '../../domain/pipelines';
import { FAILURE_HISTORY_MAX, failureAttemptItem, PROGRESS_ATTRIBUTES, readFailureHistory, type FailureAttempt } from '../../domain/run-progress';
import { BUILD_PK, CONFIG_REDEPLOY_CLAIM, DEPLOY_CLAIM, dynamoKey, executionMarkerKey, expiresAt, TTL_ATTRIBUTE, type ItemKey } from '../../domain/table';
import { dynamodb } from '../shared/aws/dynamodb';
import { eventbridge } from '../shared/aws/eventbridge';
import { sfn } from '../shared/aws/sfn';
import { awsCall, isAwsError, TransientError } from '../shared/errors';
import { parseEvent } from '../shared/events';
import { controlPlanePrefix, controlTable, settingsOf, stateMachineArns } from '../shared/control-plane-context';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { scheduledEventTime } from '../shared/validation';
import { sweepStoppedExecutions, type SweepReport } from './sweep';
import {
  actionFor,
  buildKeysFromInput,
  describeFailure,
  failureFromHistory,
  failureMilestone,
  parseExecutionInput,
  rankOf,
  redriveMilestone,
  type BuildKeys,
  type StatusFacts,
} from './decide';

const logger = createLogger('execution-status');

/** How many of the newest history events are read to find the failed state (one GetExecutionHistory page). */
const HISTORY_EVENTS = 100;

/**
 * A "Step Functions Execution Status Change" event as EventBridge delivers it (AWS Step Functions
 * Developer Guide, "Automating Step Functions event delivery with EventBridge"; shape as in
 * test/fixtures/aws-events/stepfunctions-execution-status-change-*.json). Older events have no
 * `redriveCount`, `error` or `cause`.
 */
const statusEventSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal(EXECUTION_STATUS_DETAIL_TYPE),
  time: z.string().check(z.minLength(1)),
  detail: z.object({
    executionArn: z.string().check(z.regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/, 'must be an execution ARN')),
    stateMachineArn: z.string().check(z.regex(/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/, 'must be a state machine ARN')),
    status: z.enum(EXECUTION_STATUSES),
    startDate: z.number(),
    stopDate: z.optional(z.nullable(z.number())),
    input: z.optional(z.nullable(z.string())),
    redriveCount: z.optional(z.nullable(z.int().check(z.nonnegative()))),
    error: z.optional(z.nullable(z.string())),
    cause: z.optional(z.nullable(z.string())),
    output: z.optional(z.nullable(z.string())),
  }),
});

/** What one invocation did. */
export interface ExecutionStatusResult {
  readonly kind: 'recorded' | 'ignored' | 'sweep';
  /** What was done: `failure`, `redriven`, `recovered` (for `recorded`). */
  readonly action?: string;
  readonly reason?: string;
  readonly milestone?: Milestone;
  /** The sweep: executions whose missed status event it processed. */
  readonly repaired?: number;
  /** The sweep: stopped executions it looked at, what it could not process, its new mark and its own AWS calls (functions/execution-status/sweep.ts). */
  readonly examined?: number;
  readonly errors?: SweepReport['errors'];
  readonly mark?: string;
  readonly calls?: SweepReport['calls'];
}

/** The control plane's state machines by ARN, from `STATE_MACHINE_ARNS` (JSON: pipeline name -> ARN). */
function stateMachines(): Map<string, StateMachineName> {
  return new Map(Object.entries(stateMachineArns()).map(([name, arn]) => [arn, name as StateMachineName]));
}

function region(): string {
  return process.env.AWS_REGION ?? 'us-east-1';
}

function conditionFailed(e: unknown): boolean {
  return isAwsError(e, 'ConditionalCheckFailedException');
}

/** The rank of the last status change processed for the execution (-1: none). */
async function processedRank(table: string, executionArn: string): Promise<number> {
  const out = await awsCall('DynamoDB GetItem execution marker', () =>
    dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(executionMarkerKey(executionArn)), ConsistentRead: true })),
  );
  const n = out.Item?.rank?.N;
  return n === undefined ? -1 : Number(n);
}

/** Marks the change processed; a concurrent newer one wins (the condition keeps the highest rank). */
async function markProcessed(table: string, facts: StatusFacts, rank: number): Promise<void> {
  try {
    await awsCall('DynamoDB PutItem execution marker', () =>
      dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...dynamoKey(executionMarkerKey(facts.executionArn)),
            pipeline: { S: facts.pipeline },
            status: { S: facts.status },
            redriveCount: { N: String(facts.redriveCount) },
            rank: { N: String(rank) },
            at: { S: new Date(facts.at).toISOString() },
            [TTL_ATTRIBUTE]: expiresAt(facts.at, EXECUTION_MARKER_TTL_SECONDS),
          },
          ConditionExpression: 'attribute_not_exists(#rank) OR #rank < :rank',
          ExpressionAttributeNames: { '#rank': 'rank' },
          ExpressionAttributeValues: { ':rank': { N: String(rank) } },
        }),
      ),
    );
  } catch (e) {
    if (!conditionFailed(e)) throw e;
  }
}

/** A conditional UpdateItem: false, and nothing changed, when the condition does not hold. */
async function updateIf(table: string, key: ItemKey, what: string, update: string, condition: string, values: Record<string, AttributeValue>, names?: Record<string, string>): Promise<boolean> {
  try {
    await awsCall(`DynamoDB UpdateItem ${what}`, () =>
      dynamodb.send(new UpdateItemCommand({ TableName: table, Key: dynamoKey(key), UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values, ...(names ? { ExpressionAttributeNames: names } : {}) })),
    );
    return true;
  } catch (e) {
    if (conditionFailed(e)) return false;
    throw e;
  }
}

/** Updates a build's record, if the build has one (a build pipeline can fail before recording it). */
function updateBuild(table: string, keys: BuildKeys, update: string, values: Record<string, AttributeValue>, condition = 'attribute_exists(pk)'): Promise<boolean> {
  return updateIf(table, { pk: BUILD_PK, sk: keys.sortKey }, `build ${keys.buildKey}`, update, condition, values);
}

/** How often the failure history is read and written again when another writer changed it in between. */
const HISTORY_WRITE_ATTEMPTS = 5;

/**
 * Changes a build's failure history (domain/run-progress.ts) by read, change, conditional write: the
 * condition on the history's version makes a concurrent writer's change win, and this one read it again.
 * `change` returns the new history, or undefined to leave it as it is. Nothing is written for a build
 * without a record.
 */
async function changeFailureHistory(table: string, keys: BuildKeys, change: (history: FailureAttempt[]) => FailureAttempt[] | undefined): Promise<void> {
  const key = dynamoKey({ pk: BUILD_PK, sk: keys.sortKey });
  for (let attempt = 1; attempt <= HISTORY_WRITE_ATTEMPTS; attempt++) {
    const out = await awsCall(`DynamoDB GetItem build ${keys.buildKey}`, () => dynamodb.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true })));
    if (!out.Item) return;
    const next = change(readFailureHistory(out.Item));
    if (!next) return;
    const version = out.Item[PROGRESS_ATTRIBUTES.failureHistoryVersion]?.N;
    const written = await updateIf(
      table,
      { pk: BUILD_PK, sk: keys.sortKey },
      `build ${keys.buildKey} failure history`,
      'SET #history = :history, #version = :next',
      version === undefined ? 'attribute_exists(pk) AND attribute_not_exists(#version)' : 'attribute_exists(pk) AND #version = :version',
      {
        ':history': { L: next.slice(-FAILURE_HISTORY_MAX).map(failureAttemptItem) },
        ':next': { N: String(Number(version ?? 0) + 1) },
        ...(version === undefined ? {} : { ':version': { N: version } }),
      },
      { '#history': PROGRESS_ATTRIBUTES.failureHistory, '#version': PROGRESS_ATTRIBUTES.failureHistoryVersion },
    );
    if (written) return;
  }
  throw new TransientError(`the failure history of build ${keys.buildKey} changed ${HISTORY_WRITE_ATTEMPTS} times while it was written; the event is retried`);
}

/** Gives up a claim the execution holds (conditional: a claim someone else took over is left alone). */
function releaseClaim(table: string, key: ItemKey, update: string, condition: string, values: Record<string, AttributeValue>): Promise<boolean> {
  return updateIf(table, key, `${key.pk}/${key.sk}`, update, condition, values);
}

/** Puts one milestone event on the default bus (source slipway), as the ASL's events:putEvents did. */
async function announce(detailType: Milestone, executionArn: string, detail: Record<string, unknown>): Promise<void> {
  const out = await awsCall(`EventBridge PutEvents ${detailType}`, () =>
    eventbridge.send(new PutEventsCommand({ Entries: [{ EventBusName: 'default', Source: MILESTONE_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), Resources: [executionArn] }] })),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.find((x) => x.ErrorCode);
    throw new TransientError(`EventBridge PutEvents ${detailType} failed (${entry?.ErrorCode ?? 'unknown'}: ${entry?.ErrorMessage ?? ''}); the event is retried`);
  }
}

async function historyOf(executionArn: string) {
  const out = await awsCall('Step Functions GetExecutionHistory', () =>
    sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: HISTORY_EVENTS, includeExecutionData: true })),
  );
  return failureFromHistory(out.events ?? []);
}

/**
 * Processes one status change of an execution of the shared state machines (from an event or the sweep):
 * the app comes from the execution's input (its `app`, or the AWS event that started it: CodeBuild
 * project, parameter name, milestone), the table from the app's settings. The records (build, claims,
 * processed-event marker) are written in the app's own table.
 */
export async function processStatus(prefix: string, facts: StatusFacts): Promise<ExecutionStatusResult> {
  const action = actionFor(facts);
  if (action.kind === 'ignore') return { kind: 'ignored', reason: action.reason };
  const input = parseExecutionInput(facts.input ?? (await describeInput(facts.executionArn)));
  const app = appOfExecutionInput(prefix, input);
  if (!app) {
    const reason = `${facts.executionArn} names no app of ${appsParameterRoot(prefix)} in its input (a malformed event or a start by hand): nothing to record`;
    logger.warn('execution of no app', { reason });
    return { kind: 'ignored', reason };
  }
  const table = (await settingsOf(app)).table;
  const rank = rankOf(facts);
  const seen = await processedRank(table, facts.executionArn);
  if (seen >= rank) return { kind: 'ignored', reason: `a duplicate or older status change of ${facts.executionArn} (${facts.status}, redrive ${facts.redriveCount}): already processed` };

  const keys = buildKeysFromInput(facts.pipeline, input);
  const at = new Date(facts.at).toISOString();
  const base = { app, buildKey: keys?.buildKey ?? 'unknown', execution: facts.executionArn };
  let milestone: Milestone | undefined;
  const superseded = action.kind === 'recovered' && facts.pipeline === 'deploy' ? supersededDeploy(facts.output ?? (await describeOutput(facts.executionArn))) : undefined;

  if (action.kind === 'failure') {
    const failure = describeFailure(facts, await historyOf(facts.executionArn), input, region());
    if (keys) {
      const values: Record<string, AttributeValue> = {
        ':error': { S: failure.error },
        ':cause': { S: failure.cause.slice(0, 32768) },
        ':execution': { S: facts.executionArn },
        ':at': { S: at },
        ':pipeline': { S: facts.pipeline },
        ':redrive': { N: String(facts.redriveCount) },
        ':step': { S: failure.failedStep ?? '(unknown)' },
        ':link': { S: failure.logLink ?? '' },
        ':aws': { S: failure.awsError ?? failure.error },
      };
      await updateBuild(
        table,
        keys,
        'SET pipelineError = :error, pipelineCause = :cause, failedExecution = :execution, failedAt = :at, failedPipeline = :pipeline, failedRedriveCount = :redrive, failedStep = :step, failedLogLink = :link, awsError = :aws',
        values,
      );
      // Every failure is also kept in the history, which a redrive and its success leave alone.
      const attempt: FailureAttempt = {
        pipeline: facts.pipeline,
        step: failure.failedStep ?? '(unknown)',
        error: failure.error,
        cause: failure.cause,
        at,
        execution: facts.executionArn,
        redriveCount: facts.redriveCount,
        ...(failure.awsError ? { awsError: failure.awsError } : {}),
        ...(failure.logLink ? { logLink: failure.logLink } : {}),
      };
      await changeFailureHistory(table, keys, (history) =>
        history.some((h) => h.execution === attempt.execution && h.redriveCount === attempt.redriveCount) ? undefined : [...history, attempt],
      );
    }
    if (facts.pipeline === 'deploy') {
      // Let a newer build take over; a redrive of this deploy re-claims it only if nobody did (update-service).
      await releaseClaim(table, DEPLOY_CLAIM, 'REMOVE execution SET releasedAt = :at, releasedExecution = :me', 'execution = :me', { ':me': { S: facts.executionArn }, ':at': { S: at } });
    }
    if (facts.pipeline === 'config-change') {
      await releaseClaim(table, CONFIG_REDEPLOY_CLAIM, 'REMOVE claimedBy, claimedAt SET releasedBy = :me, releasedAt = :at', 'claimedBy = :me', { ':me': { S: facts.executionArn }, ':at': { S: at } });
    }
    milestone = failureMilestone(facts.pipeline, failure.error);
    if (milestone) {
      await announce(milestone, facts.executionArn, {
        ...base,
        error: failure.error,
        cause: failure.cause.slice(0, 8192),
        ...(failure.failedStep ? { failedStep: failure.failedStep } : {}),
        ...(failure.process ? { process: failure.process } : {}),
        ...(failure.logLink ? { logLink: failure.logLink } : {}),
        ...(failure.awsError ? { awsError: failure.awsError } : {}),
        redriveCount: facts.redriveCount,
      });
    }
    logger.info('execution failure recorded', { executionArn: facts.executionArn, status: facts.status, failure, milestone });
  } else if (action.kind === 'redriven') {
    if (keys) {
      await updateBuild(table, keys, 'SET redrivenAt = :at, redriveCount = :n', { ':at': { S: at }, ':n': { N: String(facts.redriveCount) } });
      // The failure this redrive follows: the same execution's latest failure before this attempt.
      await changeFailureHistory(table, keys, (history) => {
        const i = history.findLastIndex((h) => h.execution === facts.executionArn && h.redriveCount < facts.redriveCount);
        if (i < 0 || history[i].redrivenAt) return undefined;
        return history.map((h, k) => (k === i ? { ...h, redrivenAt: at } : h));
      });
    }
    milestone = redriveMilestone(facts.pipeline);
    if (milestone) await announce(milestone, facts.executionArn, { ...base, redriveCount: facts.redriveCount });
    logger.info('execution redriven', { executionArn: facts.executionArn, redriveCount: facts.redriveCount });
  } else if (superseded) {
    // A redrive that a newer build, a rollback or a config redeploy overtook: it deployed nothing, and
    // the failure it recorded needs no action any more (failedExecution, failedAt and the failureHistory entries stay as history).
    if (keys) {
      await updateBuild(
        table,
        keys,
        'REMOVE pipelineError, pipelineCause, failedStep, failedLogLink, awsError SET supersededAt = :at, supersededBy = :by',
        { ':at': { S: at }, ':me': { S: facts.executionArn }, ':by': { S: superseded.supersededBy ?? 'unknown' } },
        'failedExecution = :me',
      );
    }
    logger.info('redriven execution superseded', { executionArn: facts.executionArn, redriveCount: facts.redriveCount, supersededBy: superseded.supersededBy });
  } else {
    // Succeeded after a redrive: the failure it recorded is over (failedExecution, failedAt and the failureHistory entries stay as history).
    if (keys) {
      await updateBuild(table, keys, 'REMOVE pipelineError, pipelineCause, failedStep, failedLogLink, awsError SET recoveredAt = :at', { ':at': { S: at }, ':me': { S: facts.executionArn } }, 'failedExecution = :me');
    }
    logger.info('redriven execution succeeded', { executionArn: facts.executionArn, redriveCount: facts.redriveCount });
  }
  await markProcessed(table, facts, rank);
  return { kind: 'recorded', action: action.kind, ...(milestone ? { milestone } : {}) };
}

/** The output of a succeeded execution whose event left it out (EventBridge omits outputs over 248 KB). */
async function describeOutput(executionArn: string): Promise<string | undefined> {
  const out = await awsCall('Step Functions DescribeExecution', () => sfn.send(new DescribeExecutionCommand({ executionArn })));
  return out.output;
}

/** The input of an execution whose event left it out (EventBridge omits inputs over 248 KB). */
async function describeInput(executionArn: string): Promise<string | undefined> {
  const out = await awsCall('Step Functions DescribeExecution', () => sfn.send(new DescribeExecutionCommand({ executionArn })));
  return out.input;
}

/**
 * Failure bookkeeping, outside the executions: started by the EventBridge rule on Step Functions'
 * "Execution Status Change" events of the control plane's state machines (pattern: executionStatusEventPattern in
 * domain/pipelines.ts), and by the 5-minute schedule (the repair sweep). Events arrive at least
 * once and in any order: a change that is not newer than the one processed last changes nothing.
 * @throws InvalidEvent for an event that is neither.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<ExecutionStatusResult> {
  addLambdaContext(context);
  const prefix = controlPlanePrefix();
  const machines = stateMachines();
  const at = scheduledEventTime(event);
  if (at) return { kind: 'sweep', ...(await sweepStoppedExecutions(machines, at, controlTable(), (facts) => processStatus(prefix, facts))) };
  const parsed = parseEvent(statusEventSchema, event, { expected: 'execution-status expects a Step Functions "Execution Status Change" event or a scheduled sweep', max: 3 });
  if (!parsed.ok) throw parsed.error;
  const d = parsed.event.detail;
  const pipeline = machines.get(d.stateMachineArn);
  if (!pipeline) {
    const reason = `${d.stateMachineArn} is not one of this control plane's state machines`;
    logger.info('event ignored', { reason });
    return { kind: 'ignored', reason };
  }
  const facts: StatusFacts = {
    executionArn: d.executionArn,
    pipeline,
    status: d.status,
    redriveCount: d.redriveCount ?? 0,
    ...(d.input ? { input: d.input } : {}),
    ...(d.error ? { error: d.error } : {}),
    ...(d.cause ? { cause: d.cause } : {}),
    ...(d.output ? { output: d.output } : {}),
    at: d.stopDate ?? (Date.parse(parsed.event.time) || d.startDate),
  };
  return processStatus(prefix, facts);
}
