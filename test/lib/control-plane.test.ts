import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Pipelines, STATE_MACHINES_DIR, type PipelinesProps } from '../../lib/constructs/pipelines';
import { aslPlaceholders, executionStatusEventPattern } from '../../lib/pipeline-contract';
import { PIPELINE_FUNCTIONS, STATE_MACHINES, SUBSTITUTIONS } from '../../lib/pipeline-contract';
import { actionsOf, PIPELINE_STAR_ACTIONS, resourcesOf, unexpectedStarActions, type Statement } from './iam';


function newStack(): Stack {
  // No esbuild in stack tests: NodejsFunction skips bundling for stacks not listed here.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'PipelinesTest');
}

function baseProps(stack: Stack): PipelinesProps {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a'], publicSubnetIds: ['subnet-1'] });
  return {
    prefix: 'slipway',
    appName: 'example',
    processes: ['web', 'worker'],
    cluster: ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'production', vpc }),
    codeBuildProjectName: 'slipway-example',
    executionRole: iam.Role.fromRoleArn(stack, 'ExecutionRole', 'arn:aws:iam::123456789012:role/example-execution'),
    taskRole: iam.Role.fromRoleArn(stack, 'TaskRole', 'arn:aws:iam::123456789012:role/example-task'),
  };
}

/** Every statement of the IAM policies attached to the role whose logical ID starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  expect(roles).toHaveLength(1);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** A readable form of an ARN built with Fn::Join, for assertions on its shape. */
const render = (v: unknown): string => JSON.stringify(v).replace(/\\"/g, '"');

describe('Pipelines', () => {
  let stack: Stack;
  let template: Template;
  let pipelines: Pipelines;

  beforeAll(() => {
    stack = newStack();
    pipelines = new Pipelines(stack, 'Pipelines', baseProps(stack));
    template = Template.fromStack(stack);
  });

  test('the table has pk/sk string keys, on-demand billing, point-in-time recovery and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }]),
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('every function: Node 22 on arm64, X-Ray active, source maps, APP_NAME/TABLE_NAME/CLUSTER_ARN (config and schedules handlers: their Parameter Store path too)', () => {
    const fns = template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } });
    expect(Object.keys(fns)).toHaveLength(Object.keys(PIPELINE_FUNCTIONS).length);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
      expect(render(fn.Properties.Environment.Variables.CLUSTER_ARN)).toContain(':cluster/production');
      const { PARAMETER_PATH, DEBOUNCE_SECONDS: _d, SCHEDULE_GROUP: _g, SCHEDULER_ROLE_ARN: _r, STATE_MACHINE_ARNS: _s, SCHEDULES_DLQ_ARN: _q, ...common } = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(common).toEqual({
        APP_NAME: 'example',
        TABLE_NAME: { Ref: expect.stringMatching(/^PipelinesTable/) },
        CLUSTER_ARN: expect.anything(),
        NODE_OPTIONS: '--enable-source-maps',
      });
      if (PARAMETER_PATH !== undefined) expect(PARAMETER_PATH).toBe('/slipway/apps/example');
    }
  });

  test('every function log group has a retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(8);
    for (const g of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });

  test('no function role carries a managed policy (log writes are granted on its own log group)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test.each(Object.values(PIPELINE_FUNCTIONS).map((f) => f.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())))(
    '%s: its role writes to its own log group and sends X-Ray traces',
    (id) => {
      const st = statementsOf(template, `Pipelines${id}Role`);
      const logs = st.find((s) => actionsOf(s).includes('logs:PutLogEvents'))!;
      expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Pipelines${id}LogGroup`)), 'Arn'] });
      expect(st.flatMap(actionsOf)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    },
  );

  test.each(['Build', 'Release', 'Deploy'])('%s state machine role can deliver logs and traces', (name) => {
    const actions = statementsOf(template, `Pipelines${name}StateMachineRole`).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'xray:PutTraceSegments']));
  });

  test.each(STATE_MACHINES)('%s: Standard, named <prefix>-<app>-<name>, logging ALL with execution data, tracing on', (name) => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `slipway-example-${name}`,
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  test.each(STATE_MACHINES)('%s: definitionSubstitutions keys are exactly the placeholders of statemachines/%s.asl.json', (name) => {
    const placeholders = aslPlaceholders(readFileSync(path.join(STATE_MACHINES_DIR, `${name}.asl.json`), 'utf8'));
    const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: `slipway-example-${name}` } }))[0];
    expect(Object.keys(sm.Properties.DefinitionSubstitutions).sort()).toEqual([...placeholders].sort());
    expect(Object.keys(SUBSTITUTIONS[name]).sort()).toEqual([...placeholders].sort());
  });

  test('the definition is the ASL file inline, and child state machine ARNs are built from names (no cycle)', () => {
    const build = Object.values(template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineName: 'slipway-example-build' } }))[0];
    expect(build.Properties.DefinitionString).toBe(readFileSync(path.join(STATE_MACHINES_DIR, 'build.asl.json'), 'utf8'));
    expect(render(build.Properties.DefinitionSubstitutions.ReleaseStateMachineArn)).toContain(':stateMachine:slipway-example-release');
    expect(build.Properties.DefinitionSubstitutions.AppName).toBe('example');
  });

  test('the build rule matches the app project\'s CodeBuild state changes and passes the whole event', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codebuild'], 'detail-type': ['CodeBuild Build State Change'], detail: { 'project-name': ['slipway-example'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^PipelinesBuildStateMachine') }, Input: Match.absent(), InputPath: Match.absent() })],
    });
  });

  test('the ECS rule matches deployment state changes of the app\'s services only', () => {
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.ecs'] } } });
    const rule = Object.values(rules)[0];
    expect(rule.Properties.EventPattern['detail-type']).toEqual(['ECS Deployment State Change']);
    const prefix = rule.Properties.EventPattern.resources[0].prefix;
    expect(render(prefix)).toMatch(/:ecs:.*:service\/production\/example-"/);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelinesDeploymentEvents/), 'Arn'] });
  });

  test('a 5-minute schedule sweeps waiting deploys (deployment-events) and missed status events (execution-status)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelinesDeploymentEvents'), 'Arn'] } }),
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelinesExecutionStatus'), 'Arn'] } }),
      ],
    });
  });

  test('the execution status rule uses the contract\'s pattern for the app\'s five state machines and targets execution-status', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] } } }));
    expect(rules).toHaveLength(1);
    const pattern = rules[0].Properties.EventPattern;
    const arns = (pattern.detail.stateMachineArn as unknown[]).map(render);
    const expected = executionStatusEventPattern(arns);

    expect(pattern['detail-type']).toEqual(expected['detail-type']);
    expect(pattern.detail.$or).toEqual(expected.detail.$or);
    expect(arns).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:stateMachine:slipway-example-${n}"`)));
    expect(rules[0].Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PipelinesExecutionStatus/), 'Arn'] });
  });

  test('execution-status reads only the app\'s executions, lists only its state machines, and announces with source slipway', () => {
    const st = statementsOf(template, 'PipelinesExecutionStatusRole');
    const read = st.find((s) => actionsOf(s).includes('states:GetExecutionHistory'))!;
    expect(actionsOf(read).sort()).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
    expect(resourcesOf(read).map(render)).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:execution:slipway-example-${n}:*"`)));
    const list = st.find((s) => actionsOf(s).includes('states:ListExecutions'))!;
    expect(resourcesOf(list).map(render)).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:stateMachine:slipway-example-${n}"`)));
    const put = st.find((s) => actionsOf(s).includes('events:PutEvents'))!;
    expect(render(put.Resource)).toMatch(/:event-bus\/default"\]\]\}$/);
    expect(put.Condition).toEqual({ StringEquals: { 'events:source': 'slipway' } });
    expect(st.flatMap(actionsOf)).not.toContain('states:RedriveExecution');
  });

  test('execution-status gets every state machine ARN by pipeline name', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('failed and redriven') } }))[0];
    const arns = render(fn.Properties.Environment.Variables.STATE_MACHINE_ARNS);
    for (const n of STATE_MACHINES) expect(arns).toContain(`"${n}":"arn:`);
    for (const n of STATE_MACHINES) expect(arns).toContain(`:stateMachine:slipway-example-${n}`);
  });

  test('build state machine: invokes its two functions, records builds, starts release only', () => {
    const st = statementsOf(template, 'PipelinesBuildStateMachineRole');
    const invoke = st.find((s) => actionsOf(s).includes('lambda:InvokeFunction'))!;
    expect(render(invoke.Resource)).toMatch(/PipelinesParseBuildEvent.*PipelinesRegisterTaskDefinitions/);
    const ddb = st.find((s) => actionsOf(s).includes('dynamodb:UpdateItem'))!;
    expect(actionsOf(ddb).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    const start = st.find((s) => actionsOf(s).includes('states:StartExecution'))!;
    expect(render(start.Resource)).toContain(':stateMachine:slipway-example-release');
    expect(st.flatMap(actionsOf)).not.toContain('ecs:RunTask');
  });

  test('release state machine: RunTask only on the app\'s families in the app\'s cluster; the .sync managed rule; PassRole to ECS tasks only', () => {
    const st = statementsOf(template, 'PipelinesReleaseStateMachineRole');
    const run = st.find((s) => actionsOf(s).includes('ecs:RunTask'))!;
    expect(resourcesOf(run).map(render)).toEqual([
      expect.stringContaining(':task-definition/slipway-example-web:*'),
      expect.stringContaining(':task-definition/slipway-example-worker:*'),
    ]);
    expect(render(run.Condition)).toMatch(/^\{"ArnEquals":\{"ecs:cluster":.*:cluster\/production"\]\]\}\}\}$/);
    const rule = st.find((s) => actionsOf(s).includes('events:PutRule'))!;
    expect(actionsOf(rule).sort()).toEqual(['events:DescribeRule', 'events:PutRule', 'events:PutTargets']);
    expect(render(rule.Resource)).toContain(':rule/StepFunctionsGetEventsForECSTaskRule');
    const pass = st.find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(pass.Resource).toEqual(['arn:aws:iam::123456789012:role/example-execution', 'arn:aws:iam::123456789012:role/example-task']);
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    const start = st.find((s) => actionsOf(s).includes('states:StartExecution'))!;
    expect(render(start.Resource)).toContain(':stateMachine:slipway-example-deploy');
    const stop = st.find((s) => actionsOf(s).includes('ecs:StopTask'))!;
    expect(render(stop.Resource)).toContain(':task/*');
    expect(render(stop.Condition)).toContain(':cluster/production');
  });

  test('release state machine: no table access (its failures are recorded by execution-status)', () => {
    const st = statementsOf(template, 'PipelinesReleaseStateMachineRole');
    expect(st.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  test('deploy state machine: invokes update-service only and records releases', () => {
    const st = statementsOf(template, 'PipelinesDeployStateMachineRole');
    const invoke = st.find((s) => actionsOf(s).includes('lambda:InvokeFunction'))!;
    expect(resourcesOf(invoke)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^PipelinesUpdateService/), 'Arn'] }]);
    expect(st.flatMap(actionsOf)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem']));
    expect(st.flatMap(actionsOf)).not.toContain('states:StartExecution');
  });

  test.each(['Build', 'Release', 'Deploy'])('%s state machine may put milestone events on the default bus, with source slipway only', (pipeline) => {
    const st = statementsOf(template, `Pipelines${pipeline}StateMachineRole`);
    const put = st.filter((s) => actionsOf(s).includes('events:PutEvents'));

    expect(put).toHaveLength(1);
    expect(actionsOf(put[0])).toEqual(['events:PutEvents']);
    expect(render(put[0].Resource)).toMatch(/:events:.*:event-bus\/default"\]\]\}$/);
    expect(put[0].Condition).toEqual({ StringEquals: { 'events:source': 'slipway' } });
  });

  test('update-service manages only the app\'s services', () => {
    const st = statementsOf(template, 'PipelinesUpdateServiceRole');
    const manage = st.find((s) => actionsOf(s).includes('ecs:UpdateService'))!;
    expect(resourcesOf(manage).map(render)).toEqual([expect.stringContaining(':service/production/example-web"'), expect.stringContaining(':service/production/example-worker"')]);
    expect(st.flatMap(actionsOf)).not.toContain('iam:PassRole');
  });

  test.each(['PipelinesUpdateServiceRole', 'PipelinesDeploymentEventsRole'])('%s may resume only the deploy state machine', (role) => {
    const st = statementsOf(template, role);
    const send = st.find((s) => actionsOf(s).includes('states:SendTaskSuccess'))!;
    expect(actionsOf(send).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
    expect(resourcesOf(send).map(render)).toEqual([expect.stringContaining(':stateMachine:slipway-example-deploy"')]);
  });

  test('table access follows what each handler does', () => {
    const tableActions = (role: string) => statementsOf(template, role).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:')).sort();
    expect(tableActions('PipelinesParseBuildEventRole')).toEqual(['dynamodb:GetItem']);
    expect(tableActions('PipelinesCheckReleaseTaskRole')).toEqual([]);
    expect(tableActions('PipelinesUpdateServiceRole')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(tableActions('PipelinesDeploymentEventsRole')).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(tableActions('PipelinesExecutionStatusRole')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  test('Resource "*" appears only for actions without resource-level permissions', () => {
    expect(unexpectedStarActions(template, PIPELINE_STAR_ACTIONS)).toEqual([]);
  });

  test('RegisterTaskDefinition is limited to requests tagged with the app', () => {
    const st = statementsOf(template, 'PipelinesRegisterTaskDefinitionsRole');
    const register = st.find((s) => actionsOf(s).includes('ecs:RegisterTaskDefinition'))!;
    expect(register.Condition).toEqual({ StringEquals: { 'aws:RequestTag/slipway:app': 'example' } });
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  test('exposes state machines and functions by contract key', () => {
    expect(Object.keys(pipelines.stateMachines).sort()).toEqual([...STATE_MACHINES].sort());
    expect(Object.keys(pipelines.functions).sort()).toEqual(Object.keys(PIPELINE_FUNCTIONS).sort());
  });
});

describe('Pipelines props validation', () => {
  const make = (override: Partial<PipelinesProps>) => () => {
    const stack = newStack();
    new Pipelines(stack, 'Pipelines', { ...baseProps(stack), ...override });
  };

  test('rejects an invalid app name', () => {
    expect(make({ appName: 'Example_App' })).toThrow('Pipelines appName "Example_App" must be lowercase letters, digits and hyphens');
  });
  test('rejects an empty process list', () => {
    expect(make({ processes: [] })).toThrow('Pipelines processes must name at least one process type of app "example"');
  });
  test('rejects a duplicate process', () => {
    expect(make({ processes: ['web', 'web'] })).toThrow('Pipelines processes lists "web" twice');
  });
  test('rejects an app name over 35 characters (<app>-<36-character build id>-release must fit 80)', () => {
    expect(make({ appName: 'a'.repeat(36) })).toThrow(/35 characters at most \(<app>-<build id>-release must fit Step Functions' 80-character execution names\)/);
    expect(make({ appName: 'a'.repeat(35) })).not.toThrow();
  });
  test('rejects a prefix and app name whose schedule group passes 64 characters (which also keeps state machine names within 80)', () => {
    expect(make({ prefix: 'p'.repeat(29), appName: 'a'.repeat(35) })).toThrow(/the schedule group "p{29}-a{35}" is 65 characters, EventBridge Scheduler allows at most 64/);
    expect(make({ prefix: 'p'.repeat(28), appName: 'a'.repeat(35) })).not.toThrow();
  });
  test('rejects a sweep interval that is not whole minutes', () => {
    expect(make({ sweepInterval: Duration.seconds(90) })).toThrow('Pipelines sweepInterval must be a whole number of minutes (at least 1), got 1 minute 30 seconds');
  });
  test('rejects a missing definition file', () => {
    expect(make({ stateMachinesDir: '/nonexistent' })).toThrow('state machine definition /nonexistent/build.asl.json is missing');
  });
});
