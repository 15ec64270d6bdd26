import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { loadDeploymentConfig, type DeploymentConfig } from '../../lib/deployment-config';
import { CLI_PERMISSIONS, type AppIds, type OperatorRole } from '../../lib/ops/permissions';
import { PIPELINE_FUNCTIONS, STATE_MACHINES } from '../../domain/pipelines';
import { alertsShard, alertsTopicName } from '../../domain/alerts';
import { synthesizeApp } from '../helpers/example-stacks';
import { actionsOf, resourcesOf, type Statement } from './iam';

/**
 * The synthesized app stack against what AWS checks at deploy time and at the first run (issues 13, 16):
 * the operator policies (`<prefix>-<app>-operate` for the CLI's management commands, `-develop` for the
 * user commands) grant every AWS call of every CLI command (lib/ops/permissions.ts) on the app's own
 * resources and not on another app's, except what the shared control plane makes common (documented in
 * docs/control-plane.md); and the fixes that no local run can see.
 */

/** The policy that holds each operator role's grants since the app stack has no operator roles (issue 16). */
const POLICY_OF: Record<OperatorRole, string> = { management: 'OperatePolicy', user: 'DevelopPolicy' };
/** The pipelines whose executions the pipelines name `<app>-<build>-<pipeline>`; EventBridge names the others. */
const APP_NAMED = new Set(['release', 'deploy']);

const config: DeploymentConfig = loadDeploymentConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
const app = config.apps.find((a) => a.name === 'example')!;
const IDS: AppIds = { partition: 'aws', region: 'eu-west-1', account: '123456789012', prefix: config.prefix, app: app.name, processes: Object.keys(app.processes), cluster: `${config.prefix}-${app.cluster}` };
/** Another app in the same account: no grant of the roles may reach its resources. */
const OTHER: AppIds = { ...IDS, app: 'zz-other', processes: IDS.processes };
const CONTROL_PLANE = app.cluster;

/**
 * lib/ops/permissions.ts may still name the state machines per app (`<prefix>-<app>-<pipeline>`), as
 * before issue 16: its ARNs are read with the shared control plane's names (`<prefix>-<cluster>-<pipeline>`).
 * A no-op once that list names the shared machines.
 */
function shared(arn: string, ids: AppIds): string {
  return arn.replace(`:stateMachine:${ids.prefix}-${ids.app}-`, `:stateMachine:${ids.prefix}-${CONTROL_PLANE}-`).replace(`:execution:${ids.prefix}-${ids.app}-`, `:execution:${ids.prefix}-${CONTROL_PLANE}-`);
}

/**
 * What the shared control plane lets every app's policies reach of another app (docs/control-plane.md):
 * the shared state machines themselves (describe, list, start the deploy: IAM cannot see an execution's
 * input), and the executions EventBridge names (build, config-change, schedules: read and redrive).
 */
function sharedByDesign(action: string, arn: string): boolean {
  const machine = arn.match(/:stateMachine:[^:]+-([a-z-]+)$/);
  if (machine) return true;
  const execution = arn.match(new RegExp(`:execution:${IDS.prefix}-${CONTROL_PLANE}-([a-z-]+):`));
  return execution !== null && !APP_NAMED.has(execution[1]) && READ_EXECUTION.includes(action);
}

const READ_EXECUTION = ['states:DescribeExecution', 'states:GetExecutionHistory'];

/**
 * What the policies leave out by design even for the app itself: executions EventBridge names (build,
 * config-change, schedules) carry no app name, so they are read-only (docs/control-plane.md); redriving
 * them takes a principal trusted with every app of the control plane.
 */
function withheldByDesign(action: string, arn: string): boolean {
  const execution = arn.match(new RegExp(`:execution:${IDS.prefix}-${CONTROL_PLANE}-([a-z-]+):`));
  return execution !== null && !APP_NAMED.has(execution[1]) && !READ_EXECUTION.includes(action);
}

/**
 * A policy resource as a string: pseudo parameters as the test account's, Fn::Join joined, a resource
 * of the template as `@<logical id>` (GetAtt or Ref), anything else (an import from the cluster stack) `*`.
 */
function render(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if (o.Ref === 'AWS::Partition') return IDS.partition;
  if (o.Ref === 'AWS::Region') return IDS.region;
  if (o.Ref === 'AWS::AccountId') return IDS.account;
  if (typeof o.Ref === 'string') return `@${o.Ref}`;
  if (o['Fn::GetAtt']) return `@${(o['Fn::GetAtt'] as string[])[0]}`;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  return '*';
}

/** IAM resource matching: `*` any run of characters, `?` one. */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}

function actionMatches(granted: string, action: string): boolean {
  return matches(granted.toLowerCase(), action.toLowerCase());
}

/** The example app's stack and its cluster's, synthesized once per test run (test/helpers/example-stacks.ts). */
function synth() {
  const { app: template, cluster } = synthesizeApp(app, {}, config);
  return { template, cluster };
}

describe('the synthesized app stack', () => {
  let template: Template;
  let cluster: Template;
  let statements: Record<OperatorRole, Statement[]>;
  let tableId: string;
  let appLogGroupId: string;
  let taskRoleIds: string[];

  beforeAll(() => {
    ({ template, cluster } = synth());
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    const roleId = (prefix: string) => roles.find((id) => id.startsWith(prefix))!;
    const of = (policy: string) => {
      const found = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith(policy));
      expect(found).toHaveLength(1);
      return (found[0][1].Properties.PolicyDocument.Statement as Statement[]).filter((s) => (s.Effect ?? 'Allow') === 'Allow');
    };
    statements = { management: of(POLICY_OF.management), user: of(POLICY_OF.user) };
    tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    appLogGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: `/${config.prefix}/apps/${app.name}` } }))[0];
    taskRoleIds = ['ExecutionRole', 'TaskRole'].map(roleId);
  });

  /** Whether the role grants `action` on a resource matching `arn` (rendered). */
  const grants = (role: OperatorRole, action: string, arn: string) =>
    statements[role].some((s) => actionsOf(s).some((a) => actionMatches(a, action)) && resourcesOf(s).map(render).some((r) => matches(r, arn)));

  const cases = CLI_PERMISSIONS.flatMap((c) => c.roles.flatMap((role) => c.calls.filter((call) => call.resource.kind !== 'none').map((call) => [c.command, role, call.action, call] as const)));

  test('the list covers every command group of the CLI, and every app command is granted to the management role', () => {
    const commands = CLI_PERMISSIONS.map((c) => c.command);
    expect(commands).toEqual(expect.arrayContaining(['pipelines', 'status', 'redrive', 'deploy', 'rollback', 'watch', 'logs', 'run', 'alarms', 'scale', 'config list', 'config get', 'config set', 'config unset', 'schedules list', 'schedules add', 'schedules remove']));
    // `db ...` acts on a database, `apps` on every app of the account: neither is an app's command.
    expect(CLI_PERMISSIONS.filter((c) => !c.command.startsWith('db ') && c.command !== 'apps' && !c.roles.includes('management'))).toEqual([]);
  });

  test.each(cases)('%s: the %s role grants %s, scoped to the app', (_command, role, action, call) => {
    const r = call.resource;
    switch (r.kind) {
      case 'any':
        expect(statements[role].some((s) => actionsOf(s).some((a) => actionMatches(a, action)) && resourcesOf(s).includes('*'))).toBe(true);
        break;
      case 'arn':
        for (const arn of r.arns(IDS).map((a) => shared(a, IDS))) expect({ arn, granted: grants(role, action, arn) }).toEqual({ arn, granted: !withheldByDesign(action, arn) });
        for (const arn of r.arns(OTHER).map((a) => shared(a, OTHER))) {
          expect({ arn, grantedForAnotherApp: grants(role, action, arn) }).toEqual({ arn, grantedForAnotherApp: sharedByDesign(action, arn) });
        }
        break;
      case 'table':
        expect(grants(role, action, `@${tableId}`)).toBe(true);
        break;
      case 'tableItems': {
        // Only items under the listed partition keys: every statement granting the write says so (dynamodb:LeadingKeys).
        const granting = statements[role].filter((s) => actionsOf(s).some((a) => actionMatches(a, action)) && resourcesOf(s).map(render).some((x) => matches(x, `@${tableId}`)));
        expect(granting.length).toBeGreaterThan(0);
        for (const s of granting) expect((s as { Condition?: unknown }).Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...r.partitionKeys] } });
        break;
      }
      case 'pipelineFunctions': {
        // The shared control plane's functions, by name (<prefix>-<cluster>-<handler>).
        const names = Object.values(cluster.findResources('AWS::Lambda::Function')).map((f) => f.Properties.FunctionName as string);
        expect(names.sort()).toEqual(Object.values(PIPELINE_FUNCTIONS).map((f) => `${IDS.prefix}-${CONTROL_PLANE}-${f}`).sort());
        for (const name of names) {
          const arn = `arn:${IDS.partition}:lambda:${IDS.region}:${IDS.account}:function:${name}`;
          expect({ arn, granted: grants(role, action, arn) }).toEqual({ arn, granted: true });
        }
        break;
      }
      case 'appLogGroup':
        expect(appLogGroupId).toBeDefined();
        expect(grants(role, action, `@${appLogGroupId}`)).toBe(true);
        break;
      case 'taskRoles':
        for (const id of taskRoleIds) expect({ id, granted: grants(role, action, `@${id}`) }).toEqual({ id, granted: true });
        // Only those two roles: not the operator roles, not a wildcard.
        expect(statements[role].filter((s) => actionsOf(s).some((a) => actionMatches(a, action))).flatMap((s) => resourcesOf(s).map(render)).sort()).toEqual(taskRoleIds.map((id) => `@${id}`).sort());
        break;
      case 'clusterTasks': {
        // Task IDs are generated: task/* in the account and region, always under a condition.
        const task = `arn:${IDS.partition}:ecs:${IDS.region}:${IDS.account}:task/${IDS.cluster}/0123456789abcdef`;
        const matching = statements[role].filter((s) => actionsOf(s).some((a) => actionMatches(a, action)) && resourcesOf(s).map(render).some((r) => matches(r, task)));
        expect(matching.length).toBeGreaterThan(0);
        for (const s of matching) expect(Object.keys((s as { Condition?: Record<string, unknown> }).Condition ?? {})).not.toEqual([]);
        break;
      }
      case 'project': {
        // The app's own CodeBuild project (its logical ID in the app stack).
        const projects = Object.keys(template.findResources('AWS::CodeBuild::Project'));
        expect(projects).toHaveLength(1);
        expect(grants(role, action, `@${projects[0]}`)).toBe(true);
        break;
      }
      case 'sharedExecutions':
        // Executions EventBridge names (build, config-change, schedules): the policy cannot tell the app
        // from the name, so it grants reading them all and never redriving (withheldByDesign).
        for (const pattern of r.patterns(IDS)) {
          const arn = pattern.replace(/\*$/, '0123456789abcdef_0123456789abcdef');
          expect({ arn, granted: grants(role, action, arn) }).toEqual({ arn, granted: !withheldByDesign(action, arn) });
        }
        break;
      default:
        throw new Error(`unexpected resource kind ${(r as { kind: string }).kind}`);
    }
  });

  test('the user role cannot deploy, roll back, scale, change config or run a task', () => {
    for (const action of ['states:StartExecution', 'ssm:PutParameter', 'ssm:DeleteParameters', 'application-autoscaling:RegisterScalableTarget', 'ecs:UpdateService', 'ecs:RunTask', 'iam:PassRole']) {
      expect({ action, granted: statements.user.some((s) => actionsOf(s).some((a) => actionMatches(a, action))) }).toEqual({ action, granted: false });
    }
  });

  test('slipway run: RunTask and DescribeTasks only in the app\'s cluster, tags only at RunTask, the task roles passed only to ECS tasks', () => {
    const of = (action: string) => statements.management.filter((s) => actionsOf(s).includes(action));
    for (const action of ['ecs:RunTask', 'ecs:DescribeTasks']) {
      expect(of(action).length).toBeGreaterThan(0);
      for (const s of of(action)) expect(Object.keys((s.Condition?.ArnEquals ?? {}) as object)).toEqual(['ecs:cluster']);
    }
    for (const s of of('ecs:TagResource')) expect(s.Condition).toEqual({ StringEquals: { 'ecs:CreateAction': 'RunTask' } });
    for (const s of of('iam:PassRole')) expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  test('the waiter items\' expiresAt is the table\'s TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  test('the settings parameter names the cluster by ARN (EventBridge Scheduler needs it), and sync-schedules gets the cluster ARN', () => {
    const parameter = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: `/${config.prefix}/apps/${app.name}/settings` } }))[0];
    expect(render(parameter.Properties.Value)).toMatch(/"cluster":"\*"/); // the cluster stack's export of its ARN
    const importName = JSON.stringify(parameter.Properties.Value).match(/"Fn::ImportValue":"([^"]+Cluster[^"]+)"/)?.[1] ?? '';
    expect(importName).toMatch(/Arn/);
    const sync = Object.values(cluster.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `${config.prefix}-${CONTROL_PLANE}-sync-schedules` } }))[0];
    expect(sync.Properties.Environment.Variables.CLUSTER_ARN).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] });
  });

  test('the scheduler role (the cluster\'s) trusts EventBridge Scheduler on its apps\' schedule groups, whose names are <prefix>-<cluster>.<app>', () => {
    const trust = Object.values(cluster.findResources('AWS::IAM::Role')).find((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'));
    const condition = trust?.Properties.AssumeRolePolicyDocument.Statement[0].Condition;
    expect(render(condition.ArnLike['aws:SourceArn'])).toBe(`arn:aws:scheduler:eu-west-1:123456789012:schedule-group/${config.prefix}-${CONTROL_PLANE}.*`);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: `${config.prefix}-${CONTROL_PLANE}.${app.name}` });
  });

  test('Scheduler\'s TargetErrorCount of the app\'s group is alarmed to the alerts topic; the shared dead-letter queue by the cluster', () => {
    const alerts = `arn:aws:sns:eu-west-1:123456789012:${alertsTopicName(config.prefix, CONTROL_PLANE, alertsShard(app.name))}`;
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const targetErrors = alarms.find((a) => a.Properties.MetricName === 'TargetErrorCount');
    expect(targetErrors?.Properties).toMatchObject({ Namespace: 'AWS/Scheduler', Dimensions: [{ Name: 'ScheduleGroup', Value: `${config.prefix}-${CONTROL_PLANE}.${app.name}` }] });
    expect(targetErrors?.Properties.AlarmActions.map(render)).toEqual([alerts]);
    const deadLetters = Object.values(cluster.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(render(deadLetters?.Properties.Dimensions[0].Value)).toMatch(/^@ControlPlaneSchedulesDeadLetterQueue/);
  });

  test('the executions a policy may redrive or stop: release and deploy executions of this app only (<app>-*); the others read-only', () => {
    for (const role of ['management', 'user'] as const) {
      for (const p of STATE_MACHINES) {
        const mine = `arn:aws:states:eu-west-1:123456789012:execution:${IDS.prefix}-${CONTROL_PLANE}-${p}:${IDS.app}--42-${p}`;
        const theirs = `arn:aws:states:eu-west-1:123456789012:execution:${IDS.prefix}-${CONTROL_PLANE}-${p}:${OTHER.app}--42-${p}`;
        expect({ role, p, mine: grants(role, 'states:RedriveExecution', mine), theirs: grants(role, 'states:RedriveExecution', theirs) }).toEqual({ role, p, mine: APP_NAMED.has(p), theirs: false });
        expect({ role, p, reads: grants(role, 'states:GetExecutionHistory', theirs) }).toEqual({ role, p, reads: !APP_NAMED.has(p) });
      }
    }
    const stop = (name: string) => grants('management', 'states:StopExecution', `arn:aws:states:eu-west-1:123456789012:execution:${IDS.prefix}-${CONTROL_PLANE}-deploy:${name}`);
    expect([stop(`${IDS.app}--42-deploy`), stop(`${OTHER.app}--42-deploy`)]).toEqual([true, false]);
  });
});
