import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Pipelines, type PipelinesProps } from '../../lib/constructs/pipelines';

/** The config-change and schedules wiring of an app's pipelines (lib/constructs/config-schedules.ts). */

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown>; Sid?: string };

function newStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'ConfigSchedulesTest');
}

function props(stack: Stack, extra: Partial<PipelinesProps> = {}): PipelinesProps {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a'], publicSubnetIds: ['subnet-1'] });
  return {
    prefix: 'slipway',
    appName: 'example',
    processes: ['web', 'worker'],
    cluster: ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'production', vpc }),
    codeBuildProjectName: 'slipway-example',
    executionRole: iam.Role.fromRoleArn(stack, 'ExecutionRole', 'arn:aws:iam::123456789012:role/example-execution'),
    taskRole: iam.Role.fromRoleArn(stack, 'TaskRole', 'arn:aws:iam::123456789012:role/example-task'),
    ...extra,
  };
}

function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  expect(roles).toHaveLength(1);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const render = (v: unknown): string => JSON.stringify(v).replace(/\\"/g, '"');
const withAction = (st: Statement[], action: string) => st.filter((s) => actionsOf(s).includes(action));

describe('config changes and schedules', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    new Pipelines(stack, 'Pipelines', props(stack, { configDebounceSeconds: 12 }));
    template = Template.fromStack(stack);
  });

  test('Parameter Store changes under /slipway/apps/example/ start the config-change state machine with the whole event', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'], detail: { name: [{ prefix: '/slipway/apps/example/' }] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^PipelinesConfigChangeStateMachine') }, Input: Match.absent(), InputPath: Match.absent() })],
    });
  });

  test('the app\'s Deploy Succeeded milestone events start the schedules state machine', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['slipway'], 'detail-type': ['Deploy Succeeded'], detail: { app: ['example'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^PipelinesSchedulesStateMachine') } })],
    });
  });

  test('one schedule group per app, named <prefix>-<app>', () => {
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'slipway-example' });
  });

  test('the debounce window reaches parse-parameter-change', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PARAMETER_PATH: '/slipway/apps/example', DEBOUNCE_SECONDS: '12' }) },
    });
  });

  test('the scheduler role is assumed by EventBridge Scheduler for this account and this app\'s schedule group (the ARN Scheduler presents) only', () => {
    const trust = Object.values(template.findResources('AWS::IAM::Role')).find((r) => render(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'));
    const statement = trust?.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(Object.keys(statement.Condition)).toEqual(['StringEquals']);
    expect(statement.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    const sourceArn = render(statement.Condition.StringEquals['aws:SourceArn']);
    expect(sourceArn).toMatch(/:scheduler:.*:schedule-group\/slipway-example"?\]?\]?\}?$/);
    expect(sourceArn).not.toContain(':schedule/');
  });

  test('every schedule target has an encrypted, SSL-only dead-letter queue that the scheduler role may send to', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue'))[0];
    expect(queueId).toMatch(/^PipelinesSchedulesDeadLetterQueue/);
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy'))[0];
    expect(render(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    const send = withAction(statementsOf(template, 'PipelinesSchedulerRole'), 'sqs:SendMessage')[0];
    expect(send.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    const sync = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.SCHEDULE_GROUP);
    expect(sync?.Properties.Environment.Variables.SCHEDULES_DLQ_ARN).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(render(sync?.Properties.Environment.Variables.CLUSTER_ARN)).toContain(':cluster/');
  });

  test('scheduled tasks are tagged only as RunTask creates them (ecs:CreateAction, no cluster condition that tag-on-create lacks)', () => {
    const tag = withAction(statementsOf(template, 'PipelinesSchedulerRole'), 'ecs:TagResource')[0];
    expect(tag.Condition).toEqual({ StringEquals: { 'ecs:CreateAction': 'RunTask' } });
  });

  test('scheduled tasks may run only the app\'s own families, in its cluster', () => {
    const run = withAction(statementsOf(template, 'PipelinesSchedulerRole'), 'ecs:RunTask')[0];
    expect(resourcesOf(run).map(render)).toEqual([expect.stringContaining(':task-definition/slipway-example-web:*'), expect.stringContaining(':task-definition/slipway-example-worker:*')]);
    expect(run.Condition).toEqual({ ArnEquals: { 'ecs:cluster': expect.anything() } });
  });

  test('config-change may list executions of the app\'s deploy and release only, and start deploy and schedules only', () => {
    const st = statementsOf(template, 'PipelinesConfigChangeStateMachineRole');
    expect(resourcesOf(withAction(st, 'states:ListExecutions')[0]).map(render)).toEqual([
      expect.stringContaining(':stateMachine:slipway-example-deploy'),
      expect.stringContaining(':stateMachine:slipway-example-release'),
    ]);
    expect(resourcesOf(withAction(st, 'states:StartExecution')[0]).map(render)).toEqual([
      expect.stringContaining(':stateMachine:slipway-example-deploy'),
      expect.stringContaining(':stateMachine:slipway-example-schedules'),
    ]);
    expect(resourcesOf(withAction(st, 'lambda:InvokeFunction')[0])).toHaveLength(2);
    expect(resourcesOf(withAction(st, 'dynamodb:UpdateItem')[0])).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^PipelinesTable/), 'Arn'] }]);
  });

  test('register-config-revisions reads parameter names, never values', () => {
    const actions = statementsOf(template, 'PipelinesRegisterConfigRevisionsRole').flatMap(actionsOf);
    expect(actions).toContain('ssm:DescribeParameters');
    expect(actions.filter((a) => /^ssm:GetParameter|^kms:/.test(a))).toEqual([]);
  });

  test('the build pipeline\'s register-task-definitions lists config key names too (never values)', () => {
    const actions = statementsOf(template, 'PipelinesRegisterTaskDefinitionsRole').flatMap(actionsOf);
    expect(actions).toContain('ssm:DescribeParameters');
    expect(actions.filter((a) => /^ssm:GetParameter|^kms:/.test(a))).toEqual([]);
  });

  test('register-config-revisions registers only revisions tagged with the app', () => {
    const register = withAction(statementsOf(template, 'PipelinesRegisterConfigRevisionsRole'), 'ecs:RegisterTaskDefinition')[0];
    expect(register.Condition).toEqual({ StringEquals: { 'aws:RequestTag/slipway:app': 'example' } });
  });

  test('sync-schedules manages schedules of the app\'s group, reads only the schedules parameter, passes only the scheduler role', () => {
    const st = statementsOf(template, 'PipelinesSyncSchedulesRole');
    expect(resourcesOf(withAction(st, 'scheduler:CreateSchedule')[0]).map(render)).toEqual([expect.stringContaining(':schedule/slipway-example/*')]);
    expect(resourcesOf(withAction(st, 'ssm:GetParameter')[0]).map(render)).toEqual([expect.stringContaining(':parameter/slipway/apps/example/schedules')]);
    const pass = withAction(st, 'iam:PassRole')[0];
    expect(resourcesOf(pass)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^PipelinesSchedulerRole/), 'Arn'] }]);
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

test('a debounce window outside 0..3600 s is refused with a message naming the prop', () => {
  const stack = newStack();
  expect(() => new Pipelines(stack, 'Pipelines', props(stack, { configDebounceSeconds: 1.5 }))).toThrow('Pipelines configDebounceSeconds must be a whole number of seconds from 0 to 3600, got 1.5');
});
