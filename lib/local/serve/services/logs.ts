import * as logsSdk from '@aws-sdk/client-cloudwatch-logs';
import { lambdaLogGroupName, controlPlaneFunctionName } from '../../../../domain/names';
import { PIPELINE_FUNCTIONS, type PipelineFunctionKey } from '../../../../domain/pipelines';
import { WireError } from '../errors';
import { sdkOperations, type RequestContext, type ServiceModel } from '../model';

/**
 * The log groups of the simulated account: each process type's group (the app's settings) and each
 * control-plane function's `/aws/lambda/<name>`. The simulation writes no log events into them: the
 * release task and the apps run no containers here.
 */
function logGroups({ account }: RequestContext): Set<string> {
  const groups = new Set<string>();
  for (const s of account.run.world.apps.values()) for (const p of Object.values(s.processes)) groups.add(p.logGroup);
  for (const key of Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]) groups.add(lambdaLogGroupName(controlPlaneFunctionName(account.run.prefix, account.run.controlPlane, key)));
  return groups;
}

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
        return { logStreams: [] };
      },
    },
    FilterLogEvents: {
      members: { logGroupName: 'string', logStreamNames: 'list', startTime: 'number', endTime: 'number', filterPattern: 'string', nextToken: 'string', limit: 'number' },
      run: (input, ctx) => {
        checkGroup(ctx, input.logGroupName);
        return { events: [], searchedLogStreams: [] };
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
