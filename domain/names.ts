import { EXECUTION_NAME_MAX } from './constants';
import { PIPELINE_FUNCTIONS, type PipelineFunctionKey, type StateMachineName } from './pipelines';

/*
 * Every name Slipway gives a resource or reads back: state machines, services, task-definition families,
 * parameters, scalable targets, executions, tags, log groups and streams. The stacks create the resources
 * under these names, the handlers and the CLI find them by the same ones.
 */

// ---- Control plane --------------------------------------------------------------------------------------

/**
 * Name of a state machine of a shared control plane: `<prefix>-<controlPlane>-<pipeline>`, where the
 * control plane is named after the cluster whose apps it serves (every app of that cluster runs through
 * the same five state machines; their executions are named `<app>--<build>-<pipeline>` where the pipeline
 * names them, and the app is in every execution's input).
 */
export function stateMachineName(prefix: string, controlPlane: string, pipeline: StateMachineName): string {
  return `${prefix}-${controlPlane}-${pipeline}`;
}

/** Name of a shared control-plane function: `<prefix>-<controlPlane>-<handler>` (apps' operator policies address it by name). */
export function controlPlaneFunctionName(prefix: string, controlPlane: string, fn: PipelineFunctionKey): string {
  return `${prefix}-${controlPlane}-${PIPELINE_FUNCTIONS[fn]}`;
}

/**
 * The ECS cluster's name in AWS: `<prefix>-<cluster>`. The account stack's ECS event rules match task
 * and service ARNs under this name (`ecsClusterName(prefix, '')` is the prefix of every cluster's).
 */
export function ecsClusterName(prefix: string, cluster: string): string {
  return `${prefix}-${cluster}`;
}

/** The app's ECR repository: `<prefix>/<app>`. */
export function imageRepositoryName(prefix: string, app: string): string {
  return `${prefix}/${app}`;
}

/** The Aurora cluster identifier of a database of the config: `<prefix>-<database>`. */
export function databaseClusterIdentifier(prefix: string, database: string): string {
  return `${prefix}-${database}`;
}

/** The app's CodeBuild project: `<prefix>-<app>` (its build events name the app by it). */
export function codeBuildProjectName(prefix: string, app: string): string {
  return `${prefix}-${app}`;
}

/** The operator policies of an app: `<prefix>-<app>-develop` and `<prefix>-<app>-operate` (docs/control-plane.md). */
export type OperatorLevel = 'develop' | 'operate';

/**
 * Name of an app's operator managed policy: `<prefix>-<app>-<level>`. The one app-joined name that keeps a
 * single hyphen: no policy or pattern addresses operator policies by a prefix (two apps' policy names can
 * never be equal, since both end in a level), and a new name would make CloudFormation replace the policy
 * and detach it from every user, group and role it is attached to (docs/control-plane.md, "Upgrading").
 */
export function operatorPolicyName(prefix: string, app: string, level: OperatorLevel): string {
  return `${prefix}-${app}-${level}`;
}

/** CloudWatch dashboard of an app or of a control plane: `<prefix>-<app or control plane>`. */
export function dashboardName(prefix: string, appOrControlPlane: string): string {
  return `${prefix}-${appOrControlPlane}`;
}

// ---- ECS --------------------------------------------------------------------------------------------------

/** ECS service name of an app's process type: `<app>--<process>` ({@link appScopedName}). */
export function serviceName(app: string, process: string): string {
  return appScopedName(app, process);
}

/** Task-definition family of an app's process type: `<prefix>-<app>--<process>`. */
export function taskDefinitionFamily(prefix: string, app: string, process: string): string {
  return `${prefix}-${appScopedName(app, process)}`;
}

/**
 * The family Slipway gave an app's process type before app names were separated by `--`:
 * `<prefix>-<app>-<process>`. Two apps may share it (`shop`/`api-web` and `shop-api`/`web`), so it never
 * says whose a revision is: a deploy accepts a revision of it only when its tags name the app and the
 * build (a rollback to a build released before the upgrade, docs/control-plane.md "Upgrading").
 */
export function legacyTaskDefinitionFamily(prefix: string, app: string, process: string): string {
  return `${prefix}-${app}-${process}`;
}

/**
 * The app a task-definition family belongs to (`<prefix>-<app>--<process>`) and its process type;
 * undefined for any other family.
 */
export function appOfTaskDefinitionFamily(prefix: string, family: string): { app: string; process: string } | undefined {
  if (!family.startsWith(`${prefix}-`)) return undefined;
  return splitAppScopedName(family.slice(prefix.length + 1), PROCESS_NAME);
}

/**
 * The family and revision of a task-definition ARN (`arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>`);
 * undefined for anything else.
 */
export function taskDefinitionOfArn(arn: string): { family: string; revision: number } | undefined {
  const m = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/([A-Za-z0-9_-]{1,255}):([1-9]\d{0,9})$/.exec(arn);
  return m ? { family: m[1], revision: Number(m[2]) } : undefined;
}

/** The resource part of an ECS service's ARN: `service/<cluster name>/<service name>` (cluster by name or ARN). */
export function serviceResource(cluster: string, service: string): string {
  return `service/${clusterNameOf(cluster)}/${service}`;
}

/** The cluster's name from its ARN (`arn:...:cluster/<name>`) or its name. */
export function clusterNameOf(cluster: string): string {
  return cluster.includes('/') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
}

// ---- Application Auto Scaling -----------------------------------------------------------------------------

/** Application Auto Scaling's service namespace of ECS services. */
export const SCALABLE_NAMESPACE = 'ecs';

/** The scalable dimension of an ECS service: its desired count. */
export const SCALABLE_DIMENSION = 'ecs:service:DesiredCount';

/**
 * Application Auto Scaling resource id of a service: `service/<cluster name>/<service name>` (cluster by
 * name or ARN), the same form as the resource part of the service's ARN.
 */
export function scalableTargetResourceId(cluster: string, service: string): string {
  return serviceResource(cluster, service);
}

// ---- EventBridge Scheduler ------------------------------------------------------------------------------

/**
 * EventBridge Scheduler schedule group of an app: `<prefix>-<control plane>.<app>` (one schedule per entry
 * in it). The control plane is in the name because EventBridge Scheduler assumes the control plane's
 * Scheduler role with `aws:SourceArn` set to the schedule group's ARN, and a trust policy can only match
 * that ARN by pattern (no tags of the group are in the request): {@link scheduleGroupPattern} matches the
 * groups of one control plane's apps and no other's. A cluster, prefix or app name never contains `.`
 * (Scheduler allows `[0-9a-zA-Z-_.]+`, 64 characters: API_CreateScheduleGroup `Name`), so `prod.*` never
 * matches a group of the cluster `prod-eu`.
 */
export function scheduleGroupName(prefix: string, controlPlane: string, app: string): string {
  return `${prefix}-${controlPlane}${SCHEDULE_GROUP_SEPARATOR}${app}`;
}

/** What ends the control plane's part of a schedule group's name. */
export const SCHEDULE_GROUP_SEPARATOR = '.';

/** The schedule groups of every app of a control plane: `<prefix>-<control plane>.*` (IAM and ARN patterns). */
export function scheduleGroupPattern(prefix: string, controlPlane: string): string {
  return `${prefix}-${controlPlane}${SCHEDULE_GROUP_SEPARATOR}*`;
}

// ---- Parameter Store --------------------------------------------------------------------------------------

/** `/<prefix>/apps`: the path every app's parameters live below (GetParametersByPath's `Path`). */
export function appsParameterPath(prefix: string): string {
  return `${parameterPathPrefix(prefix)}apps`;
}

/** Slipway's Parameter Store path prefix, `/<prefix>/`: every parameter of the deployment is below it. */
export function parameterPathPrefix(prefix: string): string {
  return `/${prefix}/`;
}

/**
 * The separator between an app's name and whatever follows it in a name: `<app>--<process>`,
 * `<prefix>-<app>--<process>`, `<app>--<build>-deploy`, `<prefix>-<app>--<alarm>`. An app name never
 * contains it (nor starts or ends with a hyphen), so the first `--` of such a name ends the app's name,
 * and no pattern `<x><app>--*` of one app matches another app's names, whatever the two names are
 * (one a prefix of the other, hyphens split differently: `shop`/`api-web` and `shop-api`/`web` give
 * `shop--api-web` and `shop-api--web`).
 */
export const APP_SEPARATOR = '--';

/** `<app>--<rest>`: a name owned by the app. */
export function appScopedName(app: string, rest: string): string {
  return `${app}${APP_SEPARATOR}${rest}`;
}

/**
 * `<app>--`: the start of every name {@link appScopedName} gives the app; a resource pattern of the app's
 * names is this followed by `*` (IAM, Step Functions execution ARNs, CloudWatch alarm ARNs).
 */
export function appNamePrefix(app: string): string {
  return `${app}${APP_SEPARATOR}`;
}

/** The app and the rest of an {@link appScopedName}, when the name has that form and the rest matches `rest`. */
function splitAppScopedName(name: string, rest: RegExp): { app: string; process: string } | undefined {
  const at = name.indexOf(APP_SEPARATOR);
  if (at < 0) return undefined;
  const app = name.slice(0, at);
  const tail = name.slice(at + APP_SEPARATOR.length);
  return APP_NAME.test(app) && rest.test(tail) ? { app, process: tail } : undefined;
}

/**
 * The app an app-scoped name belongs to (`<app>--...`, the text before its first `--`), when that text is an
 * app name; undefined otherwise.
 */
export function appOfScopedName(name: string): string | undefined {
  const at = name.indexOf(APP_SEPARATOR);
  const app = at < 0 ? '' : name.slice(0, at);
  return APP_NAME.test(app) ? app : undefined;
}

/**
 * The longest app name. App names end up in execution names: `<app>--<build>-release`, where a build
 * without a CodeBuild build number is keyed by its 36-character build id, and Step Functions allows at
 * most 80 characters in an execution name (API_StartExecution `name`: "Length Constraints: Minimum
 * length of 1. Maximum length of 80.", docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html):
 * 34 + 2 (`--`) + 36 + 8 (`-release`) = 80. Every other name an app is part of allows more: ECS service
 * names and task-definition families 255 (API_CreateService `serviceName`, API_RegisterTaskDefinition
 * `family`), CloudWatch alarm names 255 (API_PutMetricAlarm `AlarmName`), IAM managed policy names 128
 * (API_CreatePolicy `PolicyName`); the schedule group `<prefix>-<app>` (Scheduler: 64) is checked with
 * the prefix by the config loader.
 */
export const APP_NAME_MAX = EXECUTION_NAME_MAX - APP_SEPARATOR.length - 36 - '-release'.length;
/** An app name: a lowercase letter, then letters, digits and single hyphens; no `--`, no hyphen at the end. */
export const APP_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,33}$/;

/**
 * The longest process type name (also a container name and part of alarm, service and family names,
 * which allow 255 characters). It follows the same rule as an app name: no `--`, no hyphen at the end.
 */
export const PROCESS_NAME_MAX = 31;
export const PROCESS_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,30}$/;

/** What an app or process type name may be, in words (for messages that refuse one). */
export function nameRule(kind: 'app' | 'process'): string {
  return `lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, ${kind === 'app' ? APP_NAME_MAX : PROCESS_NAME_MAX} characters at most; never "--", which separates an app's name from what follows it in resource names`;
}

/** `/<prefix>/apps/`: the name prefix of every app's parameters (the shared Parameter Store rule's prefix). */
export function appsParameterRoot(prefix: string): string {
  return `${appsParameterPath(prefix)}/`;
}

/** `/<prefix>/apps/<app>`: every parameter of the app lives below it. */
export function appParameterPath(prefix: string, app: string): string {
  return `${appsParameterRoot(prefix)}${app}`;
}

/**
 * The app a CodeBuild project builds for: projects are named `<prefix>-<app>` ({@link codeBuildProjectName}).
 * Undefined when the name does not have that form.
 */
export function appOfProject(prefix: string, project: string): string | undefined {
  if (!project.startsWith(`${prefix}-`)) return undefined;
  const app = project.slice(prefix.length + 1);
  return APP_NAME.test(app) ? app : undefined;
}

/** The app a parameter belongs to: `/<prefix>/apps/<app>/...`. Undefined for a name outside that form. */
export function appOfParameter(prefix: string, name: string): string | undefined {
  const root = appsParameterRoot(prefix);
  if (!name.startsWith(root)) return undefined;
  const app = name.slice(root.length).split('/')[0];
  return APP_NAME.test(app) && name.startsWith(`${appParameterPath(prefix, app)}/`) ? app : undefined;
}

/** `/<prefix>/apps/<app>/config`: the app's config keys, one parameter each. */
export function configParameterPath(appPath: string): string {
  return `${appPath}/config`;
}

/** `/<prefix>/apps/<app>/config/<KEY>`: one config key of the app. */
export function configParameterName(appPath: string, key: string): string {
  return `${configParameterPath(appPath)}/${key}`;
}

/** `/<prefix>/apps/<app>/schedules`: the app's schedules as JSON. */
export function schedulesParameterName(appPath: string): string {
  return `${appPath}/schedules`;
}

/**
 * `/<prefix>/apps/<app>/settings`: the app's settings (JSON, AppSettings of domain/settings.ts),
 * written by the app stack (a CloudFormation `AWS::SSM::Parameter`). It is also the app's entry in the
 * shared control plane: the app's table, cluster and control plane are read from it.
 */
export function settingsParameterName(appPath: string): string {
  return `${appPath}/settings`;
}

// ---- Step Functions executions ----------------------------------------------------------------------------

/** The pipelines that name their executions after the app and build. */
export type NamedPipeline = 'release' | 'deploy';

/**
 * The execution name the pipelines give an app's build: `<app>--<build>-release` (started by the build
 * machine) or `<app>--<build>-deploy` (started by the release machine). The ASL files build the same name
 * with `States.Format('{}--{}-release', ...)`; test/domain/asl-constants.test.ts checks they agree.
 */
export function pipelineExecutionName(app: string, buildKey: string, pipeline: NamedPipeline): string {
  return appScopedName(app, `${buildKey}-${pipeline}`);
}

/** The suffix of the execution names the CLI gives a deploy it starts. */
export type CliDeployKind = 'redeploy' | 'rollback';

/**
 * A readable, unique execution name for a deploy the CLI starts: `<app>--<build>-<kind>-<UTC time>`
 * (80 characters at most; a uuid build key is shortened). The pipeline's own `<app>--<build>-deploy`
 * name is taken by the deploy that followed the release.
 */
export function cliExecutionName(app: string, buildKey: string, kind: CliDeployKind, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const key = buildKey.length > 10 ? buildKey.slice(0, 8) : buildKey;
  return appScopedName(app, `${key}-${kind}-${stamp}`).slice(0, EXECUTION_NAME_MAX);
}

/**
 * The deploy the config-change machine starts: `<app>--config-<event id>` (the ASL's
 * `States.Format('{}--config-{}', ...)`), named under its app like every deploy. The build is not in the
 * name: the event id (a 36-character uuid) already takes what `<app>--<build>` leaves of Step Functions'
 * 80 characters (34 + 2 + 36 + 8 + 36 = 116 with a uuid build); the build is in the execution's input.
 */
export function configRedeployExecutionName(app: string, eventId: string): string {
  return appScopedName(app, `config-${eventId}`);
}

/** The schedules sync the config-change machine starts: `parameter-<event id>` (the ASL's `States.Format('parameter-{}', ...)`). */
export function parameterChangeExecutionName(eventId: string): string {
  return `parameter-${eventId}`;
}

const BUILD_KEY = String.raw`\d{1,10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`;
const BUILD_EXECUTION = new RegExp(String.raw`^(${BUILD_KEY})-(?:release|deploy|redeploy|rollback)(?:-\d{8}T\d{6}Z)?$`);

/**
 * The app and build an execution name says: `<app>--<build>-release`, `<app>--<build>-deploy` and the
 * CLI's `<app>--<build>-redeploy|rollback-<time>`; a config redeploy `<app>--config-<event id>` says its
 * app only. A build without a number is keyed by its uuid; a CLI deploy shortens it to 8 characters,
 * which is no build key. Empty for any other name.
 */
export function appAndBuildOf(executionName: string | undefined): { app?: string; build?: string } {
  const name = executionName ?? '';
  const app = appOfScopedName(name);
  if (!app) return {};
  const rest = name.slice(appNamePrefix(app).length);
  const m = BUILD_EXECUTION.exec(rest);
  if (m) return { app, build: m[1] };
  return /^config-[A-Za-z0-9-]{1,64}$/.test(rest) ? { app } : {};
}

/** Whether an execution name is the pipeline's own name of one of the app's numbered builds (`<app>--<number>-<pipeline>`). */
export function isNumberedExecutionOf(executionName: string, app: string, pipeline: NamedPipeline): boolean {
  const prefix = appNamePrefix(app);
  return executionName.startsWith(prefix) && new RegExp(`^\\d{1,10}-${pipeline}$`).test(executionName.slice(prefix.length));
}

// ---- CloudWatch alarms ----------------------------------------------------------------------------------

/** An app's alarm name: `<prefix>-<app>--<key>` (`--` ends the app's name: domain/names.ts APP_SEPARATOR). */
export function appAlarmName(prefix: string, app: string, key: string): string {
  return `${prefix}-${appScopedName(app, key)}`;
}

/** The name pattern of every alarm of the app, `<prefix>-<app>--*`: it matches no other app's alarm, whatever the names. */
export function appAlarmNamePattern(prefix: string, app: string): string {
  return `${prefix}-${appNamePrefix(app)}*`;
}

// ---- Tags -------------------------------------------------------------------------------------------------

/** The tag keys Slipway puts on what it creates, and finds its own resources by. */
export const TAGS = {
  /** The app a resource belongs to (task definitions, services, the app's table and roles). */
  app: 'slipway:app',
  /** The build a task-definition revision was registered for (a re-run finds its own revision by it). */
  build: 'slipway:build',
  /** The process type of a service. */
  process: 'slipway:process',
  /** A revision registered by a config change: the config-change execution's name. */
  configChange: 'slipway:config-change',
  /**
   * The control plane an app's table and roles are for: the shared control plane's IAM conditions
   * (`aws:ResourceTag/slipway:control-plane`) reach only its own apps' resources.
   */
  controlPlane: 'slipway:control-plane',
  /** The schedule entry a scheduled task runs (EventBridge Scheduler's ECS target tags it). */
  schedule: 'slipway:schedule',
  /** A one-off task `slipway run` started (value `cli`). */
  run: 'slipway:run',
} as const;

/** Each tag key by its own name (see {@link TAGS}). */
export const { app: TAG_APP, build: TAG_BUILD, process: TAG_PROCESS, configChange: TAG_CONFIG_CHANGE, controlPlane: TAG_CONTROL_PLANE, schedule: TAG_SCHEDULE, run: TAG_RUN } = TAGS;

// ---- CloudWatch Logs --------------------------------------------------------------------------------------

/** The app's log group: `/<prefix>/apps/<app>`, where every task of the app logs. */
export function appLogGroupName(prefix: string, app: string): string {
  return appParameterPath(prefix, app);
}

/** The app's CodeBuild log group: `/<prefix>/apps/<app>/builds`. */
export function buildLogGroupName(prefix: string, app: string): string {
  return `${appLogGroupName(prefix, app)}/builds`;
}

/**
 * The log group of a control plane's state machines: `/aws/vendedlogs/states/<prefix>-<control plane>-control-plane`
 * (a /aws/vendedlogs/ name keeps the CloudWatch Logs resource policy of Step Functions' log delivery small).
 */
export function controlPlaneLogGroupName(prefix: string, controlPlane: string): string {
  return `/aws/vendedlogs/states/${prefix}-${controlPlane}-control-plane`;
}

/** The account's activity log group (Parameter Store and ECS events of Slipway's resources): `/<prefix>/activity`. */
export function activityLogGroupName(prefix: string): string {
  return `/${prefix}/activity`;
}

/** The default log group of a Lambda function: `/aws/lambda/<function name>`. */
export function lambdaLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** The awslogs stream of a task's container: `<stream prefix>/<container>/<task id>` (Slipway's stream prefix is the process, which is the container's name). */
export function taskLogStreamName(container: string, taskId: string, streamPrefix = container): string {
  return `${streamPrefix}/${container}/${taskId}`;
}

/** CloudWatch console link to a log stream. */
export function logStreamLink(region: string, group: string, stream: string): string {
  const enc = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${enc(group)}/log-events/${enc(stream)}`;
}
