import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import { lambdaLogGroupName, controlPlaneFunctionName } from '../../../../domain/names';
import { PIPELINE_FUNCTIONS, type PipelineFunctionKey } from '../../../../domain/pipelines';
import { WireError } from '../errors';
import { sdkOperations, type RequestContext, type ServiceModel } from '../model';

/**
 * The log groups of the simulated account: each process type's group (the app's settings) and each
 * control-plane function's `/aws/lambda/<name>`. The simulation itself writes no log events into them
 * (the release task and the apps run no containers here); a client writes them as a container's log
 * driver does, with CreateLogStream and PutLogEvents, and reads them back with FilterLogEvents.
 */
function logGroups({ account }: RequestContext): Set<string> {
  const groups = new Set<string>();
  for (const s of account.run.world.apps.values()) for (const p of Object.values(s.processes)) groups.add(p.logGroup);
  for (const key of Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]) groups.add(lambdaLogGroupName(controlPlaneFunctionName(account.run.prefix, account.run.controlPlane, key)));
  return groups;
}

/** One stored log event. */
interface StoredEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

/** The log events written to each account's groups: group -> stream -> events (kept in memory, not in --state-dir). */
const written = new WeakMap<object, Map<string, Map<string, StoredEvent[]>>>();

function streamsOf(ctx: RequestContext, group: string): Map<string, StoredEvent[]> {
  let groups = written.get(ctx.account);
  if (!groups) written.set(ctx.account, (groups = new Map()));
  let streams = groups.get(group);
  if (!streams) groups.set(group, (streams = new Map()));
  return streams;
}

/** PutLogEvents' limits (CloudWatch Logs API Reference, PutLogEvents): at most 10,000 events, in chronological order. */
const MAX_PUT_EVENTS = 10_000;

/** ResourceNotFoundException "The specified log group does not exist." (CloudWatch Logs API reference). */
function checkGroup(ctx: RequestContext, name: unknown): void {
  if (!logGroups(ctx).has(String(name))) throw new WireError('ResourceNotFoundException', 'The specified log group does not exist.');
}

/** CloudWatch Logs (awsJson1_1, `Logs_20140328.<Operation>`): the account's log groups, with no events. */
export const logsService: ServiceModel = {
  title: 'CloudWatch Logs',
  signingName: 'logs',
  protocol: 'awsJson1_1',
  targetPrefix: 'Logs_20140328',
  errorNamespace: 'com.amazonaws.cloudwatchlogs',
  cors: true,
  awsOperations: () => sdkOperations(logsSdk as unknown as Record<string, unknown>),
  operations: {
    DescribeLogGroups: {
      members: { logGroupNamePrefix: 'string', limit: 'number', nextToken: 'string' },
      run: (input, ctx) => ({ logGroups: [...logGroups(ctx)].filter((g) => g.startsWith(String(input.logGroupNamePrefix ?? ''))).sort().map((logGroupName) => ({ logGroupName })) }),
    },
    DescribeLogStreams: {
      members: { logGroupName: 'string', logStreamNamePrefix: 'string', limit: 'number', nextToken: 'string' },
      run: (input, ctx) => {
        checkGroup(ctx, input.logGroupName);
        const prefix = String(input.logStreamNamePrefix ?? '');
        return { logStreams: [...streamsOf(ctx, String(input.logGroupName)).keys()].filter((n) => n.startsWith(prefix)).sort().map((logStreamName) => ({ logStreamName })) };
      },
    },
    CreateLogStream: {
      required: ['logGroupName', 'logStreamName'],
      members: { logGroupName: 'string', logStreamName: 'string' },
      run: (input, ctx) => {
        checkGroup(ctx, input.logGroupName);
        const streams = streamsOf(ctx, String(input.logGroupName));
        if (streams.has(String(input.logStreamName))) throw new WireError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        streams.set(String(input.logStreamName), []);
        return {};
      },
    },
    PutLogEvents: {
      required: ['logGroupName', 'logStreamName', 'logEvents'],
      members: { logGroupName: 'string', logStreamName: 'string', logEvents: 'list', sequenceToken: 'string' },
      run: (input, ctx) => {
        checkGroup(ctx, input.logGroupName);
        const stream = streamsOf(ctx, String(input.logGroupName)).get(String(input.logStreamName));
        if (!stream) throw new WireError('ResourceNotFoundException', 'The specified log stream does not exist.');
        const events = input.logEvents as { timestamp?: unknown; message?: unknown }[];
        if (events.length < 1 || events.length > MAX_PUT_EVENTS) throw new WireError('InvalidParameterException', `logEvents must hold 1 to ${MAX_PUT_EVENTS} events`);
        let last = -Infinity;
        for (const e of events) {
          if (typeof e?.timestamp !== 'number' || typeof e.message !== 'string') throw new WireError('InvalidParameterException', 'each log event needs a numeric timestamp and a string message');
          if (e.timestamp < last) throw new WireError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
          last = e.timestamp;
        }
        const now = Date.now();
        for (const e of events) stream.push({ logStreamName: String(input.logStreamName), timestamp: e.timestamp as number, message: e.message as string, ingestionTime: now, eventId: `${stream.length}-${e.timestamp as number}` });
        return { nextSequenceToken: String(stream.length) };
      },
    },
    FilterLogEvents: {
      members: { logGroupName: 'string', logStreamNames: 'list', startTime: 'number', endTime: 'number', filterPattern: 'string', nextToken: 'string', limit: 'number' },
      run: (input, ctx) => {
        checkGroup(ctx, input.logGroupName);
        const names = input.logStreamNames as string[] | undefined;
        const start = typeof input.startTime === 'number' ? input.startTime : -Infinity;
        const end = typeof input.endTime === 'number' ? input.endTime : Infinity;
        // CloudWatch Logs' filter pattern syntax is not simulated: refused by name, never half-applied.
        if (typeof input.filterPattern === 'string' && input.filterPattern.trim() !== '') throw new WireError('NotImplemented', 'slipway local serve does not simulate FilterLogEvents filterPattern: leave it out', 501);
        const events = [...streamsOf(ctx, String(input.logGroupName)).values()]
          .flat()
          .filter((e) => (!names || names.includes(e.logStreamName)) && e.timestamp >= start && e.timestamp <= end)
          .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
        const from = typeof input.nextToken === 'string' ? Number(input.nextToken) || 0 : 0;
        const limit = typeof input.limit === 'number' ? input.limit : 10_000;
        const page = events.slice(from, from + limit);
        return { events: page, searchedLogStreams: [], ...(from + limit < events.length ? { nextToken: String(from + limit) } : {}) };
      },
    },
    GetLogEvents: {
      required: ['logStreamName'],
      members: { logGroupName: 'string', logStreamName: 'string', nextToken: 'string', startFromHead: 'boolean' },
      run: (input, ctx) => {
        checkGroup(ctx, input.logGroupName);
        throw new WireError('ResourceNotFoundException', 'The specified log stream does not exist.');
      },
    },
  },
};
