import { appParameterPath, scheduleGroupName, cliExecutionName, configParameterName, pipelineExecutionName, schedulesParameterName, serviceName, serviceResource, settingsParameterName, stateMachineName, taskDefinitionFamily } from '../../domain/names';
import { STATE_MACHINES, type StateMachineName } from '../../domain/pipelines';
import { appAlarmName } from '../../domain/names';
import { SCALE_PK } from '../../domain/releases';

/**
 * Every AWS call each `slipway` command makes, with the IAM action it needs and the resource it acts
 * on, in one list. The app stack's operator roles (management, user) must grant each of them, scoped to
 * the app (test/lib/cli-permissions.test.ts checks the synthesized roles against this list), and the
 * operator guide's permission table is this list. Add a call here when a command starts making it.
 */

/** What identifies an app's resources in an account. */
export interface AppIds {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly prefix: string;
  readonly app: string;
  /** The app's process types (its ECS services are `<app>--<process>`). */
  readonly processes: readonly string[];
  /** The ECS cluster's name. */
  readonly cluster: string;
  /**
   * The shared control plane serving the app (the settings' `controlPlane`: the config's cluster name),
   * whose state machines are `<prefix>-<controlPlane>-<pipeline>`. @default the ECS cluster's name
   * without its `<prefix>-` (the cluster stack names the ECS cluster `<prefix>-<cluster>`)
   */
  readonly controlPlane?: string;
}

/** The control plane of {@link AppIds}. */
export function controlPlaneOf(ids: AppIds): string {
  return ids.controlPlane ?? (ids.cluster.startsWith(`${ids.prefix}-`) ? ids.cluster.slice(ids.prefix.length + 1) : ids.cluster);
}

/** The resource a call acts on. */
export type CallResource =
  /** No IAM permission is evaluated (sts:GetCallerIdentity: "No permissions are required"). */
  | { readonly kind: 'none' }
  /** The action has no resource-level permissions: granted on `*`. */
  | { readonly kind: 'any' }
  /** The app's resources with these ARNs. */
  | { readonly kind: 'arn'; readonly arns: (ids: AppIds) => string[] }
  /**
   * Executions of the control plane's shared state machines whose names do not say the app (build
   * executions are named by EventBridge; config-change and schedules ones from the event id): no grant
   * can tell one app's from another's, so the grant is every execution of those state machines (these
   * patterns, `execution:<prefix>-<controlPlane>-<pipeline>:*`); the CLI reads the app from each
   * execution's input and refuses another app's (WrongApp, lib/ops/aws.ts assertExecutionOf).
   */
  | { readonly kind: 'sharedExecutions'; readonly patterns: (ids: AppIds) => string[] }
  /** The app's DynamoDB table (its name is generated; the CLI reads it from the app's settings parameter). */
  | { readonly kind: 'table' }
  /**
   * Items of the app's table whose partition key is one of these (the grant's `dynamodb:LeadingKeys`
   * condition): an operator writes only these records, never the builds or releases the pipelines trust.
   */
  | { readonly kind: 'tableItems'; readonly partitionKeys: readonly string[] }
  /** The control plane's pipeline Lambda functions (names generated; shared by the apps of the cluster). */
  | { readonly kind: 'pipelineFunctions' }
  /** The app's log group (`/<prefix>/apps/<app>`), where every task of the app logs. */
  | { readonly kind: 'appLogGroup' }
  /**
   * Tasks in the app's cluster: ECS generates task IDs, so the grant is `task/*` with a condition
   * (`ecs:cluster` the app's cluster; for tag-on-create `ecs:CreateAction` RunTask).
   */
  | { readonly kind: 'clusterTasks' }
  /** The app's task execution role and task role, passed to ECS by RunTask. */
  | { readonly kind: 'taskRoles' }
  /** The app's CodeBuild project (`slipway build`). */
  | { readonly kind: 'project' };

/** One AWS call of a command. */
export interface AwsCall {
  /** The IAM action, e.g. `ssm:PutParameter`. */
  readonly action: string;
  readonly resource: CallResource;
  /** Why the command makes it. */
  readonly why: string;
}

/** The operator roles of an app stack. */
export type OperatorRole = 'management' | 'user';

/** A command, the roles that may run it, and the calls it makes. */
export interface CommandPermissions {
  /** As typed after `slipway`, e.g. `config set`. */
  readonly command: string;
  /** The app roles that grant every call of the command; empty: none of them (another role runs it). */
  readonly roles: readonly OperatorRole[];
  readonly calls: readonly AwsCall[];
}

const arn = (ids: AppIds, service: string, resource: string) => `arn:${ids.partition}:${service}:${ids.region}:${ids.account}:${resource}`;
const stateMachine = (ids: AppIds, p: StateMachineName) => arn(ids, 'states', `stateMachine:${stateMachineName(ids.prefix, controlPlaneOf(ids), p)}`);
/**
 * Example names of the app's executions that are named after it: `<app>-<build>-release`,
 * `<app>-<build>-deploy` and a CLI deploy `<app>-<build>-redeploy|rollback-<time>`, so they can be
 * granted by name (`<app>-*`; beware an app named like another's prefix: `web-*` also matches
 * `web-admin-42-deploy`, which the CLI refuses by name but IAM would allow).
 */
const executions = (ids: AppIds) => [
  arn(ids, 'states', `execution:${stateMachineName(ids.prefix, controlPlaneOf(ids), 'release')}:${pipelineExecutionName(ids.app, '42', 'release')}`),
  arn(ids, 'states', `execution:${stateMachineName(ids.prefix, controlPlaneOf(ids), 'deploy')}:${pipelineExecutionName(ids.app, '42', 'deploy')}`),
  arn(ids, 'states', `execution:${stateMachineName(ids.prefix, controlPlaneOf(ids), 'deploy')}:${cliExecutionName(ids.app, '42', 'redeploy', new Date('2026-11-20T12:00:00Z'))}`),
];
/** The shared state machines whose executions' names do not say the app. */
const SHARED_NAMED: readonly StateMachineName[] = STATE_MACHINES.filter((p) => p !== 'release' && p !== 'deploy');
const sharedExecutions = (ids: AppIds) => SHARED_NAMED.map((p) => arn(ids, 'states', `execution:${stateMachineName(ids.prefix, controlPlaneOf(ids), p)}:*`));
const appPath = (ids: AppIds) => appParameterPath(ids.prefix, ids.app);
const parameter = (ids: AppIds, name: string) => arn(ids, 'ssm', `parameter${name}`);
const configKey = (ids: AppIds) => parameter(ids, configParameterName(appPath(ids), 'DATABASE_URL'));
const schedulesParameter = (ids: AppIds) => parameter(ids, schedulesParameterName(appPath(ids)));
const settingsParameter = (ids: AppIds) => parameter(ids, settingsParameterName(appPath(ids)));
const services = (ids: AppIds) => ids.processes.map((p) => arn(ids, 'ecs', serviceResource(ids.cluster, serviceName(ids.app, p))));

/**
 * Finding the app: its settings parameter (its table, its control plane and so the state machines, its
 * processes and log group); STS only when the parameter's ARN does not give the account.
 */
const LOCATE: readonly AwsCall[] = [
  { action: 'ssm:GetParameter', resource: { kind: 'arn', arns: (ids) => [settingsParameter(ids)] }, why: 'the app\'s settings: its table, control plane, processes and log group' },
  { action: 'sts:GetCallerIdentity', resource: { kind: 'none' }, why: 'the account the state machines are in, when the settings parameter\'s ARN does not say' },
];
const READ_BUILDS: AwsCall = { action: 'dynamodb:Query', resource: { kind: 'table' }, why: 'recent builds' };
const READ_ITEM: AwsCall = { action: 'dynamodb:GetItem', resource: { kind: 'table' }, why: 'a build, the current release, the deploy claim' };
const DESCRIBE: AwsCall = { action: 'states:DescribeExecution', resource: { kind: 'arn', arns: executions }, why: 'an execution\'s status' };
const HISTORY: AwsCall = { action: 'states:GetExecutionHistory', resource: { kind: 'arn', arns: executions }, why: 'the timeline and the failed step' };
const DESCRIBE_SHARED: AwsCall = { action: 'states:DescribeExecution', resource: { kind: 'sharedExecutions', patterns: sharedExecutions }, why: 'a build (or config-change) execution\'s status, and its input: whose it is' };
const HISTORY_SHARED: AwsCall = { action: 'states:GetExecutionHistory', resource: { kind: 'sharedExecutions', patterns: sharedExecutions }, why: 'a build (or config-change) execution\'s timeline and failed step' };
const REDRIVE: AwsCall = { action: 'states:RedriveExecution', resource: { kind: 'arn', arns: executions }, why: 'redrives the failed execution' };
/** Every execution the build-following commands read: the app's by name, and the shared ones. */
const READ_EXECUTIONS: readonly AwsCall[] = [DESCRIBE, DESCRIBE_SHARED, HISTORY, HISTORY_SHARED];
/** `<app> <build>` of a build that is not recorded: its failed build execution, found by its input. */
const LIST_FAILED_BUILDS: AwsCall = { action: 'states:ListExecutions', resource: { kind: 'arn', arns: (ids) => [stateMachine(ids, 'build')] }, why: 'a build that failed before it was recorded: the shared build state machine\'s failed executions' };
const START_DEPLOY: AwsCall = { action: 'states:StartExecution', resource: { kind: 'arn', arns: (ids) => [stateMachine(ids, 'deploy')] }, why: 'starts the deploy state machine' };
const WATCH: readonly AwsCall[] = [DESCRIBE, HISTORY];
const taskDefinitions = (ids: AppIds) => ids.processes.map((p) => arn(ids, 'ecs', `task-definition/${taskDefinitionFamily(ids.prefix, ids.app, p)}:42`));

/** The app's services, described (ps, restart, shell). */
const DESCRIBE_SERVICES: AwsCall = { action: 'ecs:DescribeServices', resource: { kind: 'arn', arns: services }, why: 'each process type\'s service: counts, deployments, revision' };
/** The tasks of a service, or `slipway run`'s (ListTasks has no resource-level permissions but the ecs:cluster condition). */
const LIST_TASKS: AwsCall = { action: 'ecs:ListTasks', resource: { kind: 'any' }, why: 'the tasks of each service, and the one-off tasks (granted for the app\'s cluster only: ecs:cluster condition)' };
const DESCRIBE_TASKS: AwsCall = { action: 'ecs:DescribeTasks', resource: { kind: 'clusterTasks' }, why: 'each task\'s state, health, revision and ECS Exec agent' };

/** Every command of the `slipway` CLI that calls AWS, and what it calls. */
export const CLI_PERMISSIONS: readonly CommandPermissions[] = [
  {
    command: 'login',
    // Unsigned: the ID token is the credential, and the people role's trust policy decides (STS API
    // Reference, AssumeRoleWithWebIdentity: "does not require the use of AWS security credentials"), so
    // every role "grants" it: nothing to grant.
    roles: ['management', 'user'],
    calls: [{ action: 'sts:AssumeRoleWithWebIdentity', resource: { kind: 'none' }, why: 'one session of the people role per app the ID token tags (docs/dashboard.md)' }],
  },
  {
    command: 'apps',
    // Account-wide: GetParametersByPath on a path reads every level below it, even where IAM denies a
    // parameter below (SSM API Reference, GetParametersByPath "Recursive"), so granting it to an app's
    // role would open every app's parameters to it. A platform administrator's role runs it.
    roles: [],
    calls: [{ action: 'ssm:GetParametersByPath', resource: { kind: 'arn', arns: (ids) => [parameter(ids, `/${ids.prefix}/apps`)] }, why: 'every app\'s settings parameter under /<prefix>/apps (String parameters only)' }],
  },
  { command: 'pipelines', roles: ['management', 'user'], calls: [...LOCATE, READ_BUILDS, READ_ITEM, ...READ_EXECUTIONS] },
  {
    command: 'status',
    roles: ['management', 'user'],
    calls: [...LOCATE, READ_ITEM, LIST_FAILED_BUILDS, ...READ_EXECUTIONS, { action: 'lambda:GetFunctionConfiguration', resource: { kind: 'pipelineFunctions' }, why: 'the failed function\'s log group, for the log link' }],
  },
  // Executions EventBridge names (build, config-change, schedules) are read-only to an app's policies
  // (their names do not say the app): `redrive` tells the operator to re-run the build instead.
  { command: 'redrive', roles: ['management', 'user'], calls: [...LOCATE, READ_ITEM, LIST_FAILED_BUILDS, ...READ_EXECUTIONS, REDRIVE] },
  {
    command: 'doctor',
    roles: ['management', 'user'],
    calls: [
      ...LOCATE,
      { action: 'dynamodb:ListTagsOfResource', resource: { kind: 'table' }, why: 'whether the app\'s table is tagged for its control plane' },
      { action: 'scheduler:ListTagsForResource', resource: { kind: 'arn', arns: (ids) => [arn(ids, 'scheduler', `schedule-group/${scheduleGroupName(ids.prefix, controlPlaneOf(ids), ids.app)}`)] }, why: 'whether the app\'s schedule group is tagged for its control plane' },
    ],
  },
  {
    command: 'diff',
    roles: ['management', 'user'],
    calls: [
      ...LOCATE,
      READ_ITEM,
      { ...DESCRIBE, why: 'the task definitions of a build whose deploy recorded none' },
      { action: 'ecs:DescribeTaskDefinition', resource: { kind: 'any' }, why: 'the current and the new task definitions (no resource-level permissions)' },
    ],
  },
  { command: 'deploy', roles: ['management'], calls: [...LOCATE, READ_ITEM, DESCRIBE, START_DEPLOY, ...WATCH] },
  { command: 'rollback', roles: ['management'], calls: [...LOCATE, READ_BUILDS, { ...READ_ITEM, why: 'a build, the current release, --to v<n>: the numbered release' }, DESCRIBE, START_DEPLOY, ...WATCH] },
  { command: 'releases', roles: ['management', 'user'], calls: [...LOCATE, { ...READ_BUILDS, why: 'the numbered releases (pk RELEASES), newest first' }, { ...READ_ITEM, why: 'the current release' }] },
  { command: 'watch', roles: ['management', 'user'], calls: [...LOCATE, READ_BUILDS, READ_ITEM, LIST_FAILED_BUILDS, ...READ_EXECUTIONS] },
  {
    command: 'logs',
    roles: ['management', 'user'],
    calls: [
      ...LOCATE,
      READ_ITEM,
      { ...DESCRIBE, why: '--build: when the build\'s release started' },
      { ...READ_BUILDS, why: '--build: when a later release replaced it' },
      { action: 'logs:FilterLogEvents', resource: { kind: 'appLogGroup' }, why: 'the log events of the app\'s tasks' },
      // LOGS_BUILD_CALLS in lib/ops/logs.ts
      { action: 'ecs:DescribeTasks', resource: { kind: 'clusterTasks' }, why: '--build: which image each task that logged in the window ran' },
      { action: 'logs:DescribeLogStreams', resource: { kind: 'appLogGroup' }, why: '--build: when the stream of a task ECS no longer describes was created' },
    ],
  },
  {
    command: 'run',
    roles: ['management'],
    calls: [
      ...LOCATE,
      READ_ITEM,
      { ...DESCRIBE, why: 'the current release\'s task definitions, for a build whose deploy recorded none' },
      { action: 'ecs:RunTask', resource: { kind: 'arn', arns: taskDefinitions }, why: 'starts the one-off task on the current release\'s task definition, in the app\'s cluster' },
      { action: 'iam:PassRole', resource: { kind: 'taskRoles' }, why: 'RunTask passes the task definition\'s execution and task roles to ECS' },
      { action: 'ecs:TagResource', resource: { kind: 'clusterTasks' }, why: 'RunTask tags the task (slipway:run, and the task definition\'s tags)' },
      { action: 'ecs:DescribeTasks', resource: { kind: 'clusterTasks' }, why: 'follows the task until it stops, for its exit code' },
      { action: 'logs:GetLogEvents', resource: { kind: 'appLogGroup' }, why: 'the task\'s log stream' },
      // RUN_INTERRUPT_CALLS in lib/ops/run-task.ts
      { action: 'ecs:StopTask', resource: { kind: 'clusterTasks' }, why: 'Ctrl-C stops the one-off task it started' },
    ],
  },
  {
    command: 'ps',
    roles: ['management', 'user'],
    calls: [
      ...LOCATE,
      DESCRIBE_SERVICES,
      LIST_TASKS,
      DESCRIBE_TASKS,
      { action: 'ecs:DescribeTaskDefinition', resource: { kind: 'any' }, why: 'the build of each revision (its slipway:build tag); no resource-level permissions' },
    ],
  },
  {
    command: 'restart',
    roles: ['management'],
    calls: [...LOCATE, DESCRIBE_SERVICES, { action: 'ecs:UpdateService', resource: { kind: 'arn', arns: services }, why: 'a new deployment of the revision each service runs (forceNewDeployment)' }],
  },
  {
    command: 'shell',
    roles: ['management'],
    calls: [
      ...LOCATE,
      LIST_TASKS,
      DESCRIBE_TASKS,
      DESCRIBE_SERVICES,
      { action: 'ecs:ExecuteCommand', resource: { kind: 'clusterTasks' }, why: 'the ECS Exec session in a task of the app (its slipway:app tag, in its cluster)' },
      { action: 'ecs:RunTask', resource: { kind: 'arn', arns: taskDefinitions }, why: '--one-off, or no task running: a task for the shell on the service\'s revision' },
      { action: 'iam:PassRole', resource: { kind: 'taskRoles' }, why: 'RunTask passes the task definition\'s roles to ECS' },
      { action: 'ecs:TagResource', resource: { kind: 'clusterTasks' }, why: 'RunTask propagates the task definition\'s tags to the task' },
      { action: 'ecs:StopTask', resource: { kind: 'clusterTasks' }, why: 'stops the one-off task when the shell ends' },
    ],
  },
  {
    command: 'build',
    // A build is released and deployed: starting one is an operator's (the develop policy has no StartBuild).
    roles: ['management'],
    calls: [
      ...LOCATE,
      { action: 'codebuild:StartBuild', resource: { kind: 'project' }, why: 'starts a build of the app\'s project (a branch or commit; never a buildspec override)' },
      { action: 'codebuild:BatchGetBuilds', resource: { kind: 'project' }, why: 'follows the build to its end' },
    ],
  },
  {
    command: 'alarms',
    roles: ['management', 'user'],
    calls: [...LOCATE, { action: 'cloudwatch:DescribeAlarms', resource: { kind: 'arn', arns: (ids) => [arn(ids, 'cloudwatch', `alarm:${appAlarmName(ids.prefix, ids.app, 'web-cpu')}`)] }, why: 'the app\'s alarms (named <prefix>-<app>-...)' }],
  },
  {
    command: 'scale',
    roles: ['management'],
    calls: [
      ...LOCATE,
      { action: 'dynamodb:UpdateItem', resource: { kind: 'tableItems', partitionKeys: [SCALE_PK] }, why: 'stores the range (pk SCALE): every later deploy and config change keeps it' },
      { action: 'dynamodb:DeleteItem', resource: { kind: 'tableItems', partitionKeys: [SCALE_PK] }, why: '--reset: removes the stored range' },
      { action: 'application-autoscaling:DescribeScalableTargets', resource: { kind: 'any' }, why: 'the service\'s scalable target' },
      { action: 'application-autoscaling:RegisterScalableTarget', resource: { kind: 'any' }, why: 'the new range' },
      // Application Auto Scaling checks these for the caller of RegisterScalableTarget on an ECS service
      // (docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html lists both for Service Auto Scaling).
      { action: 'ecs:DescribeServices', resource: { kind: 'arn', arns: services }, why: 'checked by RegisterScalableTarget for an ECS service' },
      { action: 'ecs:UpdateService', resource: { kind: 'arn', arns: services }, why: 'checked by RegisterScalableTarget for an ECS service' },
    ],
  },
  {
    command: 'config list',
    roles: ['management', 'user'],
    calls: [
      { action: 'ssm:DescribeParameters', resource: { kind: 'any' }, why: 'the key names (no resource-level permissions; names and metadata only)' },
      { action: 'ssm:GetParametersByPath', resource: { kind: 'arn', arns: (ids) => [parameter(ids, `${appPath(ids)}/config`)] }, why: '--show-values: the values' },
    ],
  },
  { command: 'config get', roles: ['management', 'user'], calls: [{ action: 'ssm:GetParameter', resource: { kind: 'arn', arns: (ids) => [configKey(ids)] }, why: 'one key\'s value' }] },
  { command: 'config set', roles: ['management'], calls: [{ action: 'ssm:PutParameter', resource: { kind: 'arn', arns: (ids) => [configKey(ids)] }, why: 'writes each key' }] },
  { command: 'config unset', roles: ['management'], calls: [{ action: 'ssm:DeleteParameters', resource: { kind: 'arn', arns: (ids) => [configKey(ids)] }, why: 'removes the keys' }] },
  { command: 'schedules list', roles: ['management', 'user'], calls: [{ action: 'ssm:GetParameter', resource: { kind: 'arn', arns: (ids) => [schedulesParameter(ids)] }, why: 'the schedules list' }] },
  {
    command: 'schedules add',
    roles: ['management'],
    calls: [
      { action: 'ssm:GetParameter', resource: { kind: 'arn', arns: (ids) => [schedulesParameter(ids)] }, why: 'the schedules list' },
      { action: 'ssm:PutParameter', resource: { kind: 'arn', arns: (ids) => [schedulesParameter(ids)] }, why: 'writes the list back' },
    ],
  },
  {
    command: 'schedules remove',
    roles: ['management'],
    calls: [
      { action: 'ssm:GetParameter', resource: { kind: 'arn', arns: (ids) => [schedulesParameter(ids)] }, why: 'the schedules list' },
      { action: 'ssm:PutParameter', resource: { kind: 'arn', arns: (ids) => [schedulesParameter(ids)] }, why: 'writes the list back' },
    ],
  },
  // The database manager is a database's, not an app's: none of the app roles may invoke it.
  ...['db create', 'db drop', 'db enable-iam', 'db sql'].map((command) => ({
    command,
    roles: [] as OperatorRole[],
    calls: [{ action: 'lambda:InvokeFunction', resource: { kind: 'any' as const }, why: 'the database manager function (--function), granted to database administrators' }],
  })),
];

/** The IAM actions a role needs for the commands it may run (the union over {@link CLI_PERMISSIONS}). */
export function actionsFor(role: OperatorRole): string[] {
  const actions = CLI_PERMISSIONS.filter((c) => c.roles.includes(role)).flatMap((c) => c.calls.filter((call) => call.resource.kind !== 'none').map((call) => call.action));
  return [...new Set(actions)].sort();
}
