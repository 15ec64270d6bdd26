import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ControlPlane, STATE_MACHINES_DIR, type ControlPlaneProps } from '../../lib/constructs/control-plane';
import { TAG_CONTROL_PLANE } from '../../domain';
import { aslPlaceholders, CONTROL_PLANE_ENV, executionStatusEventPattern, PIPELINE_FUNCTIONS, STATE_MACHINES, SUBSTITUTIONS } from '../../domain';
import { actionsOf, PIPELINE_STAR_ACTIONS, resourcesOf, unexpectedStarActions, type Statement } from './iam';
import { stackTestApp } from '../helpers/example-stacks';
import { decide } from '../helpers/iam/evaluate';
import type { PolicyStatementJson } from '../helpers/iam/deployment';

/** The control plane a cluster shares among its apps (issue 16): lib/constructs/control-plane.ts. */

function newStack(): Stack {
  const app = stackTestApp();
  return new Stack(app, 'ControlPlaneTest');
}

function baseProps(stack: Stack): ControlPlaneProps {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a'], publicSubnetIds: ['subnet-1'] });
  return {
    prefix: 'slipway',
    name: 'production',
    cluster: ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'slipway-production', vpc }),
    clusterName: 'slipway-production',
    stateMachinesDir: STATE_MACHINES_DIR,
  };
}

/** Every statement of the IAM policies attached to the role whose logical ID starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  expect(roles).toHaveLength(1);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]));
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const allows = (st: Statement[]) => st.filter((s) => (s.Effect ?? 'Allow') === 'Allow');

/** A readable form of an ARN built with Fn::Join, for assertions on its shape. */
const render = (v: unknown): string => JSON.stringify(v).replace(/\\"/g, '"');

/**
 * EventBridge event-pattern matching for what the rules here use (EventBridge User Guide, "Event
 * patterns"): every key present; a list of values matches when the event's value (or one element of an
 * event array, objects in arrays matched field by field) is one of them; `{prefix}` matches the start.
 */
function eventMatches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => eventMatches(pattern, v));
  if (Array.isArray(pattern)) {
    return pattern.some((p) => (typeof p === 'object' && p !== null && 'prefix' in p ? typeof value === 'string' && value.startsWith((p as { prefix: string }).prefix) : p === value));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    return typeof value === 'object' && value !== null && Object.entries(pattern).every(([k, p]) => eventMatches(p, (value as Record<string, unknown>)[k]));
  }
  throw new Error(`unsupported pattern ${JSON.stringify(pattern)}`);
}

const FUNCTION_IDS = Object.values(PIPELINE_FUNCTIONS).map((f) => f.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()));
const TAG_CONDITION = { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: 'production' };

describe('ControlPlane', () => {
  let stack: Stack;
  let template: Template;
  let controlPlane: ControlPlane;

  beforeAll(() => {
    stack = newStack();
    controlPlane = new ControlPlane(stack, 'ControlPlane', baseProps(stack));
    template = Template.fromStack(stack);
  });

  test('nothing in it is per app: one table, nine functions, five state machines, seven rules (the deadline check every minute among them), one role per function and machine, the scheduler\'s, one for EventBridge', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Lambda::Function', Object.keys(PIPELINE_FUNCTIONS).length);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', STATE_MACHINES.length);
    template.resourceCountIs('AWS::Events::Rule', 7);
    template.resourceCountIs('AWS::IAM::Role', Object.keys(PIPELINE_FUNCTIONS).length + STATE_MACHINES.length + 2);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/example/);
  });

  test('the control table: pk/sk string keys, on-demand, point-in-time recovery, the waiters\' TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  test('every function: named <prefix>-<cluster>-<handler>, Node 22 on arm64, X-Ray, and only the contract\'s environment', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const names = Object.values(fns).map((f) => f.Properties.FunctionName).sort();
    expect(names).toEqual(Object.values(PIPELINE_FUNCTIONS).map((f) => `slipway-production-${f}`).sort());
    for (const fn of Object.values(fns)) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const { SCHEDULER_ROLE_ARN, SCHEDULES_DLQ_ARN, NODE_OPTIONS, ...env } = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(NODE_OPTIONS).toBe('--enable-source-maps');
      expect(Object.keys(env).sort()).toEqual(Object.values(CONTROL_PLANE_ENV).sort());
      expect(env.SLIPWAY_PREFIX).toBe('slipway');
      expect(render(env.CLUSTER_ARN)).toContain(':cluster/slipway-production');
      expect(env.CONTROL_TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^ControlPlaneTable/) });
      const arns = render(env.STATE_MACHINE_ARNS);
      for (const n of STATE_MACHINES) expect(arns).toContain(`"${n}":"arn:`);
      for (const n of STATE_MACHINES) expect(arns).toContain(`:stateMachine:slipway-production-${n}`);
      // The two control-plane-wide values sync-schedules passes to EventBridge Scheduler.
      if (fn.Properties.FunctionName === 'slipway-production-sync-schedules') {
        expect(SCHEDULER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ControlPlaneSchedulerRole/), 'Arn'] });
        expect(SCHEDULES_DLQ_ARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ControlPlaneSchedulesDeadLetterQueue/), 'Arn'] });
      } else {
        expect([SCHEDULER_ROLE_ARN, SCHEDULES_DLQ_ARN]).toEqual([undefined, undefined]);
      }
    }
  });

  test('each function logs to /aws/lambda/<its name>, with a retention', () => {
    for (const f of Object.values(PIPELINE_FUNCTIONS)) {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/lambda/slipway-production-${f}`, RetentionInDays: 30 });
    }
  });

  test.each(STATE_MACHINES)('%s: Standard, named <prefix>-<cluster>-<name>, logging ALL to the control plane\'s log group, tracing on', (name) => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `slipway-production-${name}`,
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ControlPlaneActivityLogGroup'), 'Arn'] } } }] },
      TracingConfiguration: { Enabled: true },
    });
  });

  test('the activity log group is the control plane\'s, apart from the per-app groups of earlier versions', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/slipway-production-control-plane' });
  });

  test.each(STATE_MACHINES)('%s: definitionSubstitutions keys are exactly the contract\'s (no app name, no table)', (name) => {
    const placeholders = aslPlaceholders(readFileSync(path.join(STATE_MACHINES_DIR, `${name}.asl.json`), 'utf8'));
    const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: `slipway-production-${name}` } }))[0];
    expect(Object.keys(sm.Properties.DefinitionSubstitutions).sort()).toEqual(Object.keys(SUBSTITUTIONS[name]).sort());
    expect([...placeholders].sort()).toEqual(Object.keys(SUBSTITUTIONS[name]).sort());
  });

  test('the build rule matches the builds of Slipway projects (<prefix>-*) marked for this control plane, and passes the whole event', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codebuild'],
        'detail-type': ['CodeBuild Build State Change'],
        detail: { 'project-name': [{ prefix: 'slipway-' }], 'additional-information': { environment: { 'environment-variables': { value: ['slipway/control-plane/production'] } } } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ControlPlaneBuildStateMachine') }, Input: Match.absent(), InputPath: Match.absent() })],
    });
  });

  test('builds reach the control plane of their app\'s cluster only (EventBridge matching on the CodeBuild event\'s environment variables)', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.codebuild'] } } }))[0];
    const fixture = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'events', 'codebuild-succeeded.json'), 'utf8'));
    const withVariables = (project: string, variables: { name: string; value: string }[]) => ({
      ...fixture,
      detail: { ...fixture.detail, 'project-name': project, 'additional-information': { ...fixture.detail['additional-information'], environment: { ...fixture.detail['additional-information'].environment, 'environment-variables': variables.map((v) => ({ ...v, type: 'PLAINTEXT' })) } } },
    });
    const repository = { name: 'REPOSITORY_URI', value: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/slipway/example' };
    const mine = withVariables('slipway-example', [repository, { name: 'SLIPWAY_CONTROL_PLANE', value: 'slipway/control-plane/production' }]);
    const otherCluster = withVariables('slipway-example', [repository, { name: 'SLIPWAY_CONTROL_PLANE', value: 'slipway/control-plane/staging' }]);
    const unmarked = withVariables('slipway-example', [repository]);
    const otherPrefix = withVariables('other-example', [{ name: 'SLIPWAY_CONTROL_PLANE', value: 'slipway/control-plane/production' }]);
    expect([mine, otherCluster, unmarked, otherPrefix].map((e) => eventMatches(rule.Properties.EventPattern, e))).toEqual([true, false, false, false]);
  });

  test('the ECS rule matches deployment state changes of every service of the cluster, and nothing outside it', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.ecs'] } } }))[0];
    expect(rule.Properties.EventPattern['detail-type']).toEqual(['ECS Deployment State Change']);
    expect(render(rule.Properties.EventPattern.resources[0].prefix)).toMatch(/:ecs:.*:service\/slipway-production\/"\]\]\}$/);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ControlPlaneDeploymentEvents/), 'Arn'] });
  });

  test('two schedules for every app: the deadline check every minute (deployment-events), the 5-minute sweep (execution-status)', () => {
    const schedules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }));
    const targetsOf = (r: (typeof schedules)[number]) => r.Properties.Targets.map((t: { Arn: { 'Fn::GetAtt': string[] } }) => t.Arn['Fn::GetAtt'][0]);
    expect(schedules.map((r) => [r.Properties.ScheduleExpression, targetsOf(r)]).sort()).toEqual([
      ['rate(1 minute)', [expect.stringMatching(/^ControlPlaneDeploymentEvents/)]],
      ['rate(5 minutes)', [expect.stringMatching(/^ControlPlaneExecutionStatus/)]],
    ]);
  });

  test('the execution status rule uses the contract\'s pattern for the five shared state machines', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] } } }));
    expect(rules).toHaveLength(1);
    const pattern = rules[0].Properties.EventPattern;
    const arns = (pattern.detail.stateMachineArn as unknown[]).map(render);
    expect(pattern.detail.$or).toEqual(executionStatusEventPattern(arns).detail.$or);
    expect(arns).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:stateMachine:slipway-production-${n}"`)));
  });

  test('EventBridge starts build, config-change and schedules with one role, which may start only those three', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'));
    expect(roles).toHaveLength(1);
    const st = statementsOf(template, roles[0][0]);
    expect([...new Set(st.flatMap(actionsOf))]).toEqual(['states:StartExecution']);
    expect(st.flatMap(resourcesOf)).toEqual(['Build', 'ConfigChange', 'Schedules'].map((m) => ({ Ref: expect.stringMatching(new RegExp(`^ControlPlane${m}StateMachine`)) })));
  });

  test('Parameter Store changes under /<prefix>/apps/ start config-change', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'], detail: { name: [{ prefix: '/slipway/apps/' }] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ControlPlaneConfigChangeStateMachine') } })],
    });
  });

  test('Deploy Succeeded milestones of this control plane\'s deploys (whatever the app) start schedules', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['slipway'] } } }))[0];
    expect(rule.Properties.EventPattern['detail-type']).toEqual(['Deploy Succeeded']);
    expect(rule.Properties.EventPattern.detail.app).toBeUndefined();
    expect(render(rule.Properties.EventPattern.detail.execution[0].prefix)).toMatch(/:execution:slipway-production-deploy:"\]\]\}$/);
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^ControlPlaneSchedulesStateMachine/) });
  });

  test('the apps\' tables: any table, only when tagged for this control plane (every role that touches them)', () => {
    const roles = ['BuildStateMachineRole', 'DeployStateMachineRole', 'ConfigChangeStateMachineRole', 'RegisterConfigRevisionsRole', 'UpdateServiceRole', 'ExecutionStatusRole', 'SyncSchedulesRole'];
    for (const role of roles) {
      const st = allows(statementsOf(template, `ControlPlane${role}`)).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')) && render(s.Resource).includes(':table/*'));
      expect({ role, statements: st.length }).toEqual({ role, statements: 1 });
      expect(st[0].Condition).toEqual({ StringEquals: TAG_CONDITION });
    }
    // register-task-definitions records nothing (the build machine does): no table at all (issue 21, a dead grant before).
    expect(statementsOf(template, 'ControlPlaneRegisterTaskDefinitionsRole').flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  test('the control table is used only by update-service (waiters), deployment-events, and execution-status for its sweep mark alone; deployment-events touches no app table', () => {
    const usesControlTable = (role: string) => allows(statementsOf(template, `ControlPlane${role}`)).some((s) => resourcesOf(s).some((r) => render(r).includes('ControlPlaneTable')));
    expect(FUNCTION_IDS.filter((id) => usesControlTable(`${id}Role`)).sort()).toEqual(['DeploymentEvents', 'ExecutionStatus', 'UpdateService']);
    // execution-status: GetItem and PutItem of the items whose partition key is SWEEP, nothing else of the control table.
    const mark = allows(statementsOf(template, 'ControlPlaneExecutionStatusRole')).filter((s) => resourcesOf(s).some((r) => render(r).includes('ControlPlaneTable')));
    expect(mark.map((s) => [actionsOf(s).sort(), s.Condition])).toEqual([[['dynamodb:GetItem', 'dynamodb:PutItem'], { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SWEEP'] } }]]);
    const events = allows(statementsOf(template, 'ControlPlaneDeploymentEventsRole'));
    expect(events.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')) && !render(s.Resource).includes('ControlPlaneTable'))).toEqual([]);
  });

  test('iam:PassRole of the apps\' roles: only roles tagged for this control plane, only to ECS tasks', () => {
    for (const role of ['ReleaseStateMachineRole', 'RegisterTaskDefinitionsRole', 'RegisterConfigRevisionsRole', 'SchedulerRole']) {
      const pass = allows(statementsOf(template, `ControlPlane${role}`)).filter((s) => actionsOf(s).includes('iam:PassRole'));
      expect(pass).toHaveLength(1);
      expect(render(pass[0].Resource)).toMatch(/:iam::.*:role\/\*"\]\]\}$/);
      expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com', ...TAG_CONDITION } });
    }
    // update-service and deployment-events pass no role; sync-schedules passes only the scheduler role.
    for (const role of ['UpdateServiceRole', 'DeploymentEventsRole', 'ExecutionStatusRole']) {
      expect(statementsOf(template, `ControlPlane${role}`).flatMap(actionsOf)).not.toContain('iam:PassRole');
    }
    const sync = allows(statementsOf(template, 'ControlPlaneSyncSchedulesRole')).find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(sync.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ControlPlaneSchedulerRole/), 'Arn'] });
    expect(sync.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  });

  test('settings: every function that serves one app reads /<prefix>/apps/*/settings, never a config value (explicit Deny); the state machines, check-release-task and deployment-events read none', () => {
    // Issue 21: the state machines and those two handlers never read settings (dead grants before).
    const none = [...['CheckReleaseTask', 'DeploymentEvents'].map((id) => `${id}Role`), ...['Build', 'Release', 'Deploy', 'ConfigChange', 'Schedules'].map((m) => `${m}StateMachineRole`)];
    for (const role of none) expect({ role, ssm: statementsOf(template, `ControlPlane${role}`).flatMap(actionsOf).filter((a) => a.startsWith('ssm:')) }).toEqual({ role, ssm: [] });
    const roles = FUNCTION_IDS.filter((id) => id !== 'CheckReleaseTask' && id !== 'DeploymentEvents').map((id) => `${id}Role`);
    for (const role of roles) {
      const st = statementsOf(template, `ControlPlane${role}`);
      const read = allows(st).filter((s) => actionsOf(s).includes('ssm:GetParameter'));
      expect(read).toHaveLength(1);
      const resources = resourcesOf(read[0]).map(render);
      expect(resources[0]).toMatch(/:parameter\/slipway\/apps\/\*\/settings"\]\]\}$/);
      expect(resources.slice(1)).toEqual(role === 'SyncSchedulesRole' ? [expect.stringMatching(/:parameter\/slipway\/apps\/\*\/schedules"\]\]\}$/)] : []);
      const deny = st.filter((s) => s.Effect === 'Deny');
      expect(deny.map((s) => [actionsOf(s), render(s.Resource)])).toEqual([[['ssm:GetParameter', 'ssm:GetParameters'], expect.stringMatching(/:parameter\/slipway\/apps\/\*\/config\/\*"\]\]\}$/)]]);
      expect(allows(st).flatMap(actionsOf)).not.toContain('ssm:GetParametersByPath');
    }
  });

  test('ECS: RunTask of Slipway\'s families only in this cluster; services only of this cluster', () => {
    const run = allows(statementsOf(template, 'ControlPlaneReleaseStateMachineRole')).find((s) => actionsOf(s).includes('ecs:RunTask'))!;
    expect(render(run.Resource)).toContain(':task-definition/slipway-*:*');
    expect(render(run.Condition)).toMatch(/^\{"ArnEquals":\{"ecs:cluster":.*:cluster\/slipway-production"\]\]\}\}\}$/);
    const manage = allows(statementsOf(template, 'ControlPlaneUpdateServiceRole')).find((s) => actionsOf(s).includes('ecs:UpdateService'))!;
    expect(render(manage.Resource)).toMatch(/:service\/slipway-production\/\*"\]\]\}$/);
    expect(render(manage.Condition)).toContain('ecs:cluster');
  });

  test('RegisterTaskDefinition only for requests tagged with an app', () => {
    for (const role of ['RegisterTaskDefinitionsRole', 'RegisterConfigRevisionsRole']) {
      const register = statementsOf(template, `ControlPlane${role}`).find((s) => actionsOf(s).includes('ecs:RegisterTaskDefinition'))!;
      expect(register.Condition).toEqual({ Null: { 'aws:RequestTag/slipway:app': 'false' } });
    }
  });

  test('EventBridge Scheduler: the role trusts Scheduler only for the schedule groups of this control plane\'s apps, sync-schedules manages only schedules in them', () => {
    const trust = Object.values(template.findResources('AWS::IAM::Role')).find((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
    const condition = trust.Properties.AssumeRolePolicyDocument.Statement[0].Condition;
    expect(render(condition.ArnLike['aws:SourceArn'])).toMatch(/:scheduler:.*:schedule-group\/slipway-production\.\*"\]\]\}$/);
    const manage = statementsOf(template, 'ControlPlaneSyncSchedulesRole').find((s) => actionsOf(s).includes('scheduler:CreateSchedule'))!;
    expect(render(manage.Resource)).toMatch(/:schedule\/slipway-production\.\*\/\*"\]\]\}$/);
  });

  test.each(['UpdateServiceRole', 'DeploymentEventsRole'])('%s may send task responses, which IAM cannot scope (no resource types: Resource "*")', async (role) => {
    // Was: the deploy state machine's ARN, which AWS would deny (SendTaskSuccess has no resource-level permissions).
    const send = statementsOf(template, `ControlPlane${role}`).find((s) => actionsOf(s).includes('states:SendTaskSuccess'))!;
    expect(resourcesOf(send)).toEqual(['*']);
    const policies = { identity: [{ name: 'send', policy: { Version: '2012-10-17', Statement: [send as PolicyStatementJson] } }] };
    expect(await decide({ principal: 'arn:aws:iam::123456789012:role/r', action: 'states:SendTaskSuccess', resource: '*' }, policies)).toBe('Allowed');
  });

  test('execution-status reads only the control plane\'s executions and announces with source slipway', async () => {
    const st = allows(statementsOf(template, 'ControlPlaneExecutionStatusRole'));
    const read = st.find((s) => actionsOf(s).includes('states:GetExecutionHistory'))!;
    expect(resourcesOf(read).map(render)).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:execution:slipway-production-${n}:*"`)));
    // Tested by its effect, as AWS evaluates it (events:source is multivalued: the StringEquals form this
    // test pinned before denied every milestone).
    const put = st.find((s) => actionsOf(s).includes('events:PutEvents'))!;
    const policies = { identity: [{ name: 'put', policy: { Version: '2012-10-17', Statement: [{ ...put, Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' } as PolicyStatementJson] } }] };
    const putEvents = (sources: string[]) => decide({ principal: 'arn:aws:iam::123456789012:role/r', action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default', context: { 'events:source': sources } }, policies);
    expect(await putEvents(['slipway'])).toBe('Allowed');
    expect(await putEvents(['slipway', 'slipway'])).toBe('Allowed');
    expect(await putEvents(['aws.codebuild'])).toBe('ImplicitlyDenied');
    expect(await putEvents(['slipway', 'someone.else'])).toBe('ImplicitlyDenied');
  });

  test.each([
    ['Build', ['release']],
    ['Release', ['deploy']],
    ['ConfigChange', ['deploy', 'schedules']],
  ])('%s state machine starts only %j', (machine, children) => {
    const start = statementsOf(template, `ControlPlane${machine}StateMachineRole`).filter((s) => actionsOf(s).includes('states:StartExecution'));
    expect(start.flatMap((s) => resourcesOf(s).map(render))).toEqual((children as string[]).map((c) => expect.stringContaining(`:stateMachine:slipway-production-${c}"`)));
  });

  test('Resource "*" appears only for actions without resource-level permissions', () => {
    expect(unexpectedStarActions(template, PIPELINE_STAR_ACTIONS)).toEqual([]);
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  test('exposes state machines and functions by contract key', () => {
    expect(Object.keys(controlPlane.stateMachines).sort()).toEqual([...STATE_MACHINES].sort());
    expect(Object.keys(controlPlane.functions).sort()).toEqual(Object.keys(PIPELINE_FUNCTIONS).sort());
  });
});

describe('ControlPlane props validation', () => {
  const make = (override: Partial<ControlPlaneProps>) => () => {
    const stack = newStack();
    new ControlPlane(stack, 'ControlPlane', { ...baseProps(stack), ...override });
  };

  test('rejects an invalid name', () => {
    expect(make({ name: 'Production_1' })).toThrow('ControlPlane name "Production_1" (the cluster\'s name) must be lowercase letters, digits and hyphens');
  });
  test('rejects a prefix and name whose function names pass Lambda\'s 64 characters', () => {
    // slipway-<name>-register-task-definitions: 8 + name + 26 characters.
    expect(make({ name: 'n'.repeat(31) })).toThrow(/function name "slipway-n{31}-register-task-definitions" is longer than 64 characters \(Lambda's limit\)/);
    expect(make({ name: 'n'.repeat(30) })).not.toThrow();
  });
  test('rejects a sweep interval that is not whole minutes', () => {
    expect(make({ sweepInterval: Duration.seconds(90) })).toThrow('ControlPlane sweepInterval must be a whole number of minutes (at least 1), got 1 minute 30 seconds');
  });
  test('rejects a missing definition file', () => {
    expect(make({ stateMachinesDir: '/nonexistent' })).toThrow('state machine definition /nonexistent/build.asl.json is missing');
  });
  test('rejects a definition that still uses placeholders the contract no longer has (${AppName})', () => {
    const dir = require('node:fs').mkdtempSync(path.join(require('node:os').tmpdir(), 'asl-'));
    for (const n of STATE_MACHINES) require('node:fs').copyFileSync(path.join(STATE_MACHINES_DIR, `${n}.asl.json`), path.join(dir, `${n}.asl.json`));
    require('node:fs').writeFileSync(path.join(dir, 'build.asl.json'), JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: '${AppName}', End: true } } }));
    expect(make({ stateMachinesDir: dir })).toThrow(/build\.asl\.json uses placeholders that domain\/pipelines\.ts does not define for "build": \$\{AppName\}/);
  });
});
