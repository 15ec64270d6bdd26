import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { RESOURCE_NAME } from '../../domain/settings';
import {
  aslPlaceholders,
  CONTROL_PLANE_ENV,
  DEADLINE_CHECK_SECONDS,
  executionStatusEventPattern,
  MILESTONE_SOURCE,
  PIPELINE_FUNCTIONS,
  STATE_MACHINES,
  SUBSTITUTIONS,
  stateMachineName,
  type Milestone,
  type PipelineFunctionKey,
  type StateMachineName,
  type Substitution,
  appParameterPath,
  appsParameterRoot,
  scheduleGroupPattern,
  configParameterName,
  controlPlaneFunctionName,
  controlPlaneLogGroupName,
  settingsParameterName,
  TAG_APP,
  TAG_CONTROL_PLANE,
} from '../../domain';
import {
  acknowledgeWildcards,
  clusterCondition,
  clusterTasksArn,
  LOG_DELIVERY_ACTIONS,
  milestoneStatement,
  parameterArn,
  passRolesToEcsTasksStatement,
  SERVICE_AUTOSCALING_ACTIONS,
  tagOnCreateStatement,
  TRACING_ACTIONS,
} from './policy-statements';
import { pipelineTable } from './pipeline-table';
import { SlipwayFunction } from './slipway-function';

/** The repository's `statemachines/` folder: `<name>.asl.json` per state machine. */
export const STATE_MACHINES_DIR = path.join(__dirname, '..', '..', 'statemachines');

/** The managed rule Step Functions creates for `ecs:runTask.sync` (it watches the task's state). */
const ECS_SYNC_RULE = 'StepFunctionsGetEventsForECSTaskRule';

/**
 * Tags a resource of an app that the control plane `controlPlane` may use on the app's behalf (the app's
 * table, its task and execution roles): the value of {@link TAG_CONTROL_PLANE} is the name of the control
 * plane that serves the app. The shared roles' DynamoDB and iam:PassRole grants are conditioned on it
 * (`aws:ResourceTag/slipway:control-plane`), so a control plane reaches the tables and roles of its own
 * apps only, whatever their generated names. See docs/control-plane.md.
 */
export function tagForControlPlane(resource: IConstruct, controlPlane: string, app: string): void {
  Tags.of(resource).add(TAG_CONTROL_PLANE, controlPlane);
  Tags.of(resource).add(TAG_APP, app);
}

/** The milestone event that re-syncs the schedules (contract of the deploy state machine's events). */
export const DEPLOY_SUCCEEDED = { source: MILESTONE_SOURCE, detailType: 'Deploy Succeeded' satisfies Milestone } as const;

// The build marker lives in domain/ (the simulated account's build rule matches it too).
export { CONTROL_PLANE_BUILD_VARIABLE, controlPlaneBuildMarker } from '../../domain/build-marker';
import { controlPlaneBuildMarker } from '../../domain/build-marker';
import { SWEEP_MARK } from '../../domain/table';

const TASK_TOKENS_REASON =
  'states:SendTaskSuccess and SendTaskFailure support no resource-level permissions (Service Authorization Reference, AWS Step Functions); a task token is known only to the deploy that waits and to the waiter item in the control table.';

/** Lambda function names have at most 64 characters. */
const FUNCTION_NAME_MAX = 64;

export interface ControlPlaneProps {
  /** Prefix of every name (config `prefix`): `<prefix>-<controlPlane>-<pipeline>`, parameters under `/<prefix>/apps/`. */
  readonly prefix: string;
  /** Name of the control plane: the name of the cluster (config `clusters[].name`) whose apps it serves. */
  readonly name: string;
  /** The ECS cluster the apps' services and tasks run in. */
  readonly cluster: ecs.ICluster;
  /** The ECS cluster's name in AWS (a plain string: it appears in ARN patterns and event patterns). */
  readonly clusterName: string;
  /**
   * Retention of the log groups this construct creates (the functions' and the activity log group).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** How often `execution-status` sweeps (the fallback for lost status events). @default Duration.minutes(5) */
  readonly sweepInterval?: Duration;
  /** What happens to the control table (waiters only: task tokens of deploys in progress) when the stack is deleted. @default RemovalPolicy.DESTROY */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /** Folder with the `<name>.asl.json` files. @default the repository's statemachines/ */
  readonly stateMachinesDir?: string;
}

/**
 * The control plane shared by every app of a cluster (issue 16): the five Standard state machines loaded
 * from `statemachines/*.asl.json` and named `<prefix>-<controlPlane>-<pipeline>`, the nine Lambda
 * handlers (environment: only {@link CONTROL_PLANE_ENV}), the control table (cross-app items: the
 * deploys' waiters), the EventBridge rules that start and resume them for every app, ONE sweep, the
 * EventBridge Scheduler role and dead-letter queue of every app's scheduled tasks, and every IAM grant
 * they need: written out here (a definition file gives CDK nothing to infer) and limited to this cluster,
 * Slipway's names and the resources the app stacks tag for this control plane (docs/control-plane.md).
 * Nothing in it is per app: the app comes with each event or execution input, its settings from
 * `/<prefix>/apps/<app>/settings`.
 */
/** The rules a control plane puts on the default event bus: seven per cluster, whatever the number of apps. */
export interface ControlPlaneRules {
  /** Starts `build` on the build state changes of every Slipway CodeBuild project (`<prefix>-*`) marked for this control plane. */
  readonly build: events.Rule;
  /** Sends the ECS deployment state changes of the cluster's services to `deployment-events`. */
  readonly deploymentEvents: events.Rule;
  /** Runs `execution-status` on a schedule (the sweep of the cluster: status events that were missed). */
  readonly sweep: events.Rule;
  /**
   * Runs `deployment-events` every minute (DEADLINE_CHECK_SECONDS): a deployment still in progress at
   * its deploy timeout fails with DeploymentTimedOut within a minute of it, and a deployment whose ECS
   * event was lost is resumed.
   */
  readonly deadlineCheck: events.Rule;
  /** Sends the status changes of the control plane's executions (failed, timed out, aborted, redriven) to `execution-status`. */
  readonly executionStatus: events.Rule;
  /** Parameter Store changes under `/<prefix>/apps/` start `config-change`. */
  readonly parameterChange: events.Rule;
  /** "Deploy Succeeded" milestones of this control plane's deploys start `schedules`. */
  readonly deploySucceeded: events.Rule;
}

export class ControlPlane extends Construct {
  /** The control plane's name (the cluster's). */
  public readonly name: string;
  /** The control table: waiters (task tokens of deploys waiting on ECS), keyed by service. */
  public readonly table: dynamodb.Table;
  /** The handlers, by contract key. */
  public readonly functions: Record<PipelineFunctionKey, SlipwayFunction>;
  /** The state machines. */
  public readonly stateMachines: Record<StateMachineName, sfn.StateMachine>;
  /** Each state machine's execution role. */
  public readonly stateMachineRoles: Record<StateMachineName, iam.Role>;
  /** Log group of the state machines' execution history (every app's executions). */
  public readonly activityLogGroup: logs.LogGroup;
  /** The control plane's EventBridge rules on the default bus ({@link ControlPlaneRules}): none per app. */
  public readonly rules: ControlPlaneRules;
  /** The role EventBridge Scheduler assumes to run every app's scheduled tasks (schedule groups `<prefix>-*`). */
  public readonly schedulerRole: iam.Role;
  /** Dead-letter queue of every app's schedules (encrypted, SSL only). */
  public readonly schedulesDeadLetterQueue: sqs.Queue;

  private readonly props: ControlPlaneProps;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    this.validateProps(props);
    this.props = props;
    this.name = props.name;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const definitions = this.readDefinitions(props.stateMachinesDir ?? STATE_MACHINES_DIR);

    this.table = pipelineTable(this, 'Table', props.tableRemovalPolicy ?? RemovalPolicy.DESTROY);

    this.activityLogGroup = new logs.LogGroup(this, 'ActivityLogGroup', {
      // Step Functions log delivery: a /aws/vendedlogs/ name keeps the CloudWatch Logs resource policy
      // small. `-control-plane` keeps it apart from the retained per-app groups of earlier versions
      // (`/aws/vendedlogs/states/<prefix>-<app>`), whatever the apps are called.
      logGroupName: controlPlaneLogGroupName(props.prefix, props.name),
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.schedulesDeadLetterQueue = new sqs.Queue(this, 'SchedulesDeadLetterQueue', {
      // SQS-managed encryption: Scheduler sends with the execution role and needs no KMS grant.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.schedulesDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of every app\'s EventBridge Scheduler targets (Target.DeadLetterConfig, set by sync-schedules), alarmed when it holds a message.',
    });
    this.schedulerRole = this.buildSchedulerRole();

    this.functions = this.buildFunctions(retention);
    this.stateMachineRoles = {
      build: this.buildStateMachineRole('build'),
      release: this.buildStateMachineRole('release'),
      deploy: this.buildStateMachineRole('deploy'),
      'config-change': this.buildStateMachineRole('config-change'),
      schedules: this.buildStateMachineRole('schedules'),
    };
    this.stateMachines = {
      build: this.buildStateMachine('build', definitions.build),
      release: this.buildStateMachine('release', definitions.release),
      deploy: this.buildStateMachine('deploy', definitions.deploy),
      'config-change': this.buildStateMachine('config-change', definitions['config-change']),
      schedules: this.buildStateMachine('schedules', definitions.schedules),
    };
    this.grantStateMachines();
    this.grantFunctions();
    // One role for EventBridge to start the three state machines its rules target (CDK would make one each).
    const eventsRole = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `EventBridge starts the ${props.name} control plane's build, config-change and schedules state machines`,
    });
    const startedByEvents = (pipeline: StateMachineName) => new targets.SfnStateMachine(this.stateMachines[pipeline], { role: eventsRole });

    const build = new events.Rule(this, 'BuildStateChangeRule', {
      description: `Starts ${this.smName('build')} when a build of a Slipway project (${props.prefix}-<app>) of an app of ${props.name} changes state`,
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        detail: {
          // Every app's project is `<prefix>-<app>`; the build state machine derives the app from it.
          'project-name': events.Match.prefix(`${props.prefix}-`),
          // ... and says which control plane builds it (an array of {name, type, value}: EventBridge
          // matches when one element's value is the marker).
          'additional-information': { environment: { 'environment-variables': { value: [controlPlaneBuildMarker(props.prefix, props.name)] } } },
        },
      },
      // No `input`: the whole event is the execution's input.
      targets: [startedByEvents('build')],
    });
    const deploymentEvents = new events.Rule(this, 'DeploymentStateChangeRule', {
      description: `Resumes ${this.smName('deploy')} executions waiting on deployments of services in ${props.clusterName}`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Deployment State Change'],
        resources: events.Match.prefix(this.serviceArn('')),
      },
      targets: [new targets.LambdaFunction(this.functions.deploymentEvents.function)],
    });
    const sweep = new events.Rule(this, 'SweepRule', {
      description: `Checks the failure records of every app of ${props.name} when status events were missed`,
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.minutes(5)),
      // execution-status repairs the records of executions whose status event never arrived.
      targets: [new targets.LambdaFunction(this.functions.executionStatus.function)],
    });
    // Every minute, not with the 5-minute sweep: a deploy timeout of 30 minutes must fail the deploy at
    // 30 minutes, not at the next 5-minute sweep after it (up to 35).
    const deadlineCheck = new events.Rule(this, 'DeadlineCheckRule', {
      description: `Fails the deploys of every app of ${props.name} whose deployment is past its deploy timeout, and resumes those whose ECS event was lost`,
      schedule: events.Schedule.rate(Duration.seconds(DEADLINE_CHECK_SECONDS)),
      targets: [new targets.LambdaFunction(this.functions.deploymentEvents.function)],
    });
    const pattern = executionStatusEventPattern(STATE_MACHINES.map((n) => this.stateMachineArn(n)));
    const executionStatus = new events.Rule(this, 'ExecutionStatusRule', {
      description: `Records, releases and announces failed and redriven executions of the ${props.name} control plane`,
      eventPattern: { source: [...pattern.source], detailType: [...pattern['detail-type']], detail: pattern.detail },
      targets: [new targets.LambdaFunction(this.functions.executionStatus.function)],
    });
    const appsPath = appsParameterRoot(props.prefix);
    const parameterChange = new events.Rule(this, 'ParameterChangeRule', {
      description: `Starts ${this.smName('config-change')} on Parameter Store changes under ${appsPath}`,
      eventPattern: { source: ['aws.ssm'], detailType: ['Parameter Store Change'], detail: { name: events.Match.prefix(appsPath) } },
      targets: [startedByEvents('config-change')],
    });
    const deploySucceeded = new events.Rule(this, 'DeploySucceededRule', {
      description: `Syncs an app's schedules to its current release after every successful deploy of ${this.smName('deploy')}`,
      eventPattern: {
        source: [DEPLOY_SUCCEEDED.source],
        detailType: [DEPLOY_SUCCEEDED.detailType],
        // Only this control plane's deploys (the milestone's `execution` is the deploy execution's ARN).
        detail: { execution: events.Match.prefix(this.executionArnPrefix('deploy')) },
      },
      targets: [startedByEvents('schedules')],
    });
    this.rules = { build, deploymentEvents, sweep, deadlineCheck, executionStatus, parameterChange, deploySucceeded };
  }

  /** ARN of one of the state machines, built from its deterministic name (no reference, no cycle). */
  public stateMachineArn(pipeline: StateMachineName): string {
    return Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.smName(pipeline), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** ARNs of the executions of one state machine whose names match `namePattern` (default: all). */
  public executionsArn(pipeline: StateMachineName, namePattern = '*'): string {
    return Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${this.smName(pipeline)}:${namePattern}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /**
   * The beginning of the ARNs of this control plane's executions: of one state machine
   * (`...:execution:<prefix>-<cp>-<pipeline>:`), or of all five (`...:execution:<prefix>-<cp>-`), for
   * EventBridge prefix matching.
   */
  public executionArnPrefix(pipeline?: StateMachineName): string {
    if (pipeline) return this.executionsArn(pipeline, '');
    return Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${this.props.prefix}-${this.props.name}-`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private smName(pipeline: StateMachineName): string {
    return stateMachineName(this.props.prefix, this.props.name, pipeline);
  }

  private serviceArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.props.clusterName}/${name}` });
  }

  private validateProps(props: ControlPlaneProps): void {
    if (!RESOURCE_NAME.test(props.prefix)) {
      throw new Error(`ControlPlane prefix "${props.prefix}" must be lowercase letters, digits and hyphens, starting with a letter, 40 characters at most`);
    }
    if (!RESOURCE_NAME.test(props.name)) {
      throw new Error(`ControlPlane name "${props.name}" (the cluster's name) must be lowercase letters, digits and hyphens, starting with a letter, 40 characters at most`);
    }
    for (const pipeline of STATE_MACHINES) {
      const name = stateMachineName(props.prefix, props.name, pipeline);
      if (name.length > 80) throw new Error(`state machine name "${name}" is longer than 80 characters (Step Functions' limit): shorten prefix or the cluster's name`);
    }
    for (const fn of Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]) {
      const name = controlPlaneFunctionName(props.prefix, props.name, fn);
      if (name.length > FUNCTION_NAME_MAX) {
        throw new Error(`function name "${name}" is longer than ${FUNCTION_NAME_MAX} characters (Lambda's limit): shorten prefix or the cluster's name`);
      }
    }
    if (props.sweepInterval) {
      const minutes = props.sweepInterval.toMinutes({ integral: false });
      if (!Number.isInteger(minutes) || minutes < 1) {
        throw new Error(`ControlPlane sweepInterval must be a whole number of minutes (at least 1), got ${props.sweepInterval.toHumanString()}`);
      }
    }
  }

  /** Reads each ASL file at synth time and checks that the contract fills every placeholder it uses. */
  private readDefinitions(dir: string): Record<StateMachineName, string> {
    const read = (pipeline: StateMachineName): string => {
      const file = path.join(dir, `${pipeline}.asl.json`);
      if (!existsSync(file)) throw new Error(`state machine definition ${file} is missing`);
      const definition = readFileSync(file, 'utf8');
      const unknown = [...aslPlaceholders(definition)].filter((p) => !(p in SUBSTITUTIONS[pipeline]));
      if (unknown.length > 0) {
        throw new Error(`${file} uses placeholders that domain/pipelines.ts does not define for "${pipeline}": ${unknown.map((p) => `\${${p}}`).join(', ')}`);
      }
      return definition;
    };
    return { build: read('build'), release: read('release'), deploy: read('deploy'), 'config-change': read('config-change'), schedules: read('schedules') };
  }

  /** The environment every handler gets: {@link CONTROL_PLANE_ENV}, nothing app-specific. */
  private environment(): Record<string, string> {
    const stack = Stack.of(this);
    return {
      [CONTROL_PLANE_ENV.prefix]: this.props.prefix,
      [CONTROL_PLANE_ENV.clusterArn]: this.props.cluster.clusterArn,
      [CONTROL_PLANE_ENV.controlTable]: this.table.tableName,
      [CONTROL_PLANE_ENV.stateMachineArns]: stack.toJsonString(Object.fromEntries(STATE_MACHINES.map((n) => [n, this.stateMachineArn(n)]))),
    };
  }

  private buildFunctions(retention: logs.RetentionDays): Record<PipelineFunctionKey, SlipwayFunction> {
    const environment = this.environment();
    const cp = this.props.name;
    const make = (key: PipelineFunctionKey, description: string, extra: Record<string, string> = {}) =>
      new SlipwayFunction(this, pascal(PIPELINE_FUNCTIONS[key]), {
        name: PIPELINE_FUNCTIONS[key],
        functionName: controlPlaneFunctionName(this.props.prefix, cp, key),
        description: `${cp} control plane: ${description}`,
        environment: { ...environment, ...extra },
        logRetention: retention,
      });
    return {
      parseBuildEvent: make('parseBuildEvent', 'turns a CodeBuild build event into a build record of its app'),
      registerTaskDefinitions: make('registerTaskDefinitions', 'registers a task-definition revision per process type'),
      checkReleaseTask: make('checkReleaseTask', 'turns the stopped release task into a verdict'),
      updateService: make('updateService', 'creates or updates a process type\'s ECS service and waits for the deployment (task token)'),
      deploymentEvents: make('deploymentEvents', 'resumes deploys on ECS deployment events and sweeps (final check at the deploy timeout)'),
      executionStatus: make('executionStatus', 'records, releases and announces failed and redriven executions (Step Functions status events)'),
      parseParameterChange: make('parseParameterChange', 'reads a Parameter Store change of an app\'s config'),
      registerConfigRevisions: make('registerConfigRevisions', 'registers revisions with an app\'s current config keys'),
      // The scheduler role and the dead-letter queue are the control plane's, shared by every app's schedules.
      syncSchedules: make('syncSchedules', 'syncs an app\'s schedules to EventBridge Scheduler', {
        SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
        SCHEDULES_DLQ_ARN: this.schedulesDeadLetterQueue.queueArn,
      }),
    };
  }

  /**
   * A state machine's role. The state machine gets an immutable view of it, so CDK's own logging and
   * X-Ray statements (Resource "*") cannot land in the policy that holds the scoped grants.
   */
  private buildStateMachineRole(pipeline: StateMachineName): iam.Role {
    const role = new iam.Role(this, `${pascal(pipeline)}StateMachineRole`, {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Slipway ${this.smName(pipeline)} state machine (every app of ${this.props.name})`,
    });
    const servicePolicy = new iam.Policy(role, 'ServicePolicy', {
      statements: [
        new iam.PolicyStatement({ sid: 'LogDelivery', actions: [...LOG_DELIVERY_ACTIONS], resources: ['*'] }),
        new iam.PolicyStatement({ sid: 'Tracing', actions: [...TRACING_ACTIONS], resources: ['*'] }),
      ],
    });
    role.attachInlinePolicy(servicePolicy);
    acknowledgeWildcards(
      servicePolicy,
      'Step Functions logging (CloudWatch Logs vended log delivery) and X-Ray tracing actions support no resource-level permissions; this policy holds only those actions.',
    );
    return role;
  }

  private buildStateMachine(pipeline: StateMachineName, definition: string): sfn.StateMachine {
    const role = this.stateMachineRoles[pipeline];
    const stateMachine = new sfn.StateMachine(this, `${pascal(pipeline)}StateMachine`, {
      stateMachineName: this.smName(pipeline),
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: this.substitutions(pipeline),
      role: role.withoutPolicyUpdates(),
      logs: { destination: this.activityLogGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The role's policies (its children: default policy and scoped policies) must exist before the first execution.
    stateMachine.node.addDependency(role);
    return stateMachine;
  }

  private substitutions(pipeline: StateMachineName): Record<string, string> {
    const value = (s: Substitution): string => {
      switch (s.kind) {
        case 'clusterArn':
          return this.props.cluster.clusterArn;
        case 'function':
          return this.functions[s.fn].function.functionArn;
        case 'stateMachine':
          return this.stateMachineArn(s.name);
        case 'executionArnPrefix':
          return this.executionArnPrefix(s.name);
        case 'constant':
          return s.value;
      }
    };
    return Object.fromEntries(Object.entries(SUBSTITUTIONS[pipeline]).map(([key, s]) => [key, value(s)]));
  }

  // ---- Resources of the apps this control plane serves, as IAM resources and conditions ----

  /** The apps' tables: any table in the account and region, only when tagged for this control plane. */
  private appTables(sid: string, actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: [Stack.of(this).formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
      // DynamoDB authorizes item actions on aws:ResourceTag (DynamoDB Developer Guide, "Using ABAC with
      // DynamoDB tables and indexes", abac-example-use-cases: aws:ResourceTag with PutItem).
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: this.props.name } },
    });
  }

  /** Reading apps' settings (`/<prefix>/apps/<app>/settings`), never their config values (an explicit Deny). */
  private readSettings(role: iam.IRole, extraNames: string[] = []): void {
    const anyApp = appParameterPath(this.props.prefix, '*');
    const parameter = (name: string) => parameterArn(this, name);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAppSettings',
        actions: ['ssm:GetParameter'],
        resources: [parameter(settingsParameterName(anyApp)), ...extraNames.map((n) => parameter(`${anyApp}/${n}`))],
      }),
    );
    // IAM's `*` also matches `/`: `/<prefix>/apps/<app>/config/settings` (a config key named "settings",
    // a secret) would match the pattern above. The Deny keeps the config values out of reach.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'NeverReadConfigValues', effect: iam.Effect.DENY, actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [parameter(configParameterName(anyApp, '*'))] }),
    );
  }

  private passAppRoles(role: iam.IRole): void {
    // IAM evaluates aws:ResourceTag on roles (IAM User Guide, "Controlling access to and for IAM users and
    // roles using tags"): only the task and execution roles app stacks tag for this control plane, only to ECS tasks.
    const anyRole = Stack.of(this).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' });
    role.addToPrincipalPolicy(passRolesToEcsTasksStatement('PassAppTaskRoles', [anyRole], { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: this.props.name }));
  }

  private familyArns(): string {
    return Stack.of(this).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${this.props.prefix}-*:*` });
  }

  private clusterCondition() {
    return clusterCondition(this.props.cluster.clusterArn);
  }

  private clusterTasks(): string {
    // Scoped to the cluster by the ecs:cluster condition (task IDs are generated by ECS).
    return clusterTasksArn(this);
  }

  private invoke(pipeline: StateMachineName, ...fns: PipelineFunctionKey[]): void {
    this.stateMachineRoles[pipeline].addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokeHandlers', actions: ['lambda:InvokeFunction'], resources: fns.map((f) => this.functions[f].function.functionArn) }),
    );
  }

  private startExecution(pipeline: StateMachineName, ...children: StateMachineName[]): void {
    this.stateMachineRoles[pipeline].addToPolicy(
      new iam.PolicyStatement({ sid: 'StartChildren', actions: ['states:StartExecution'], resources: children.map((c) => this.stateMachineArn(c)) }),
    );
  }

  /**
   * DescribeExecution of the child's executions: a start refused with ExecutionAlreadyExists reads the
   * execution of that name and compares its build (statemachines/build.asl.json, release.asl.json).
   */
  private readChildExecutions(pipeline: StateMachineName, child: StateMachineName): void {
    this.wildcardPolicy(
      this.stateMachineRoles[pipeline],
      'ChildExecutionsPolicy',
      `Execution ARNs end in the execution name (<app>--<build>-${child}): the ${child} machine's executions, read only, to compare a name already taken with the build being started.`,
      [new iam.PolicyStatement({ sid: 'ReadChildExecutions', actions: ['states:DescribeExecution'], resources: [this.executionsArn(child)] })],
    );
  }

  /**
   * Statements that need a wildcard (generated IDs, revisions, actions without resource-level
   * permissions, the apps' resources found by tag) go in a policy of their own, a child of the role,
   * whose cdk-nag IAM5 acknowledgement carries the reason; the role's default policy stays fully checked.
   */
  private wildcardPolicy(role: iam.Role, id: string, reason: string, statements: iam.PolicyStatement[]): iam.Policy {
    const policy = new iam.Policy(role, id, { statements });
    role.attachInlinePolicy(policy);
    acknowledgeWildcards(policy, reason);
    return policy;
  }

  private readonly appTablesReason = `The apps' tables have names CloudFormation generates: any table of the account and region, only when tagged ${TAG_CONTROL_PLANE}=<this control plane> (the app stacks tag their own table).`;
  private readonly settingsReason =
    'Settings of the apps of this control plane: /<prefix>/apps/<app>/settings (app names are not known to the shared control plane), config values denied explicitly; where granted, iam:PassRole of any role of the account only when tagged for this control plane and only to ECS tasks.';

  private buildSchedulerRole(): iam.Role {
    const stack = Stack.of(this);
    // Scheduler assumes the role with aws:SourceArn set to the schedule *group*'s ARN ("The ARN you
    // specify must be a schedule group": docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html):
    // the groups of this control plane's apps are `<prefix>-<control plane>.<app>` (domain/names.ts
    // scheduleGroupName), so the pattern matches them and no other cluster's groups (the IAM evaluator's
    // cross-cluster cases, test/lib/iam/adversarial-policies.test.ts).
    const groups = stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: scheduleGroupPattern(this.props.prefix, this.props.name) });
    const role = new iam.Role(this, 'SchedulerRole', {
      description: `Slipway ${this.props.name}: EventBridge Scheduler runs the apps' scheduled tasks`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': groups } },
      }),
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'SendDeadLetters', actions: ['sqs:SendMessage'], resources: [this.schedulesDeadLetterQueue.queueArn] }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'RunScheduledTasks', actions: ['ecs:RunTask'], resources: [this.familyArns()], conditions: this.clusterCondition() }));
    role.addToPolicy(tagOnCreateStatement('TagScheduledTasks', [this.clusterTasks()], 'RunTask'));
    this.passAppRoles(role);
    acknowledgeWildcards(
      role,
      `Scheduled tasks run any revision of Slipway's task-definition families (${this.props.prefix}-*, a new revision per build or config change) only in this cluster (ecs:cluster); task IDs are generated by ECS and may be tagged only as RunTask creates them; the roles passed are those tagged ${TAG_CONTROL_PLANE}=<this control plane>, only to ECS tasks.`,
    );
    return role;
  }

  private grantStateMachines(): void {
    const r = this.stateMachineRoles;
    const stack = Stack.of(this);
    // Each machine is granted the DynamoDB actions of its Task states, no more (the IAM evaluator's tests
    // check every grant against the integrations of the ASL files: test/lib/iam/). The settings are read by
    // the handlers, never by a state machine.

    // build: record the build in the app's table (TableName.$ from the settings), register revisions, start release.
    this.invoke('build', 'parseBuildEvent', 'registerTaskDefinitions');
    this.wildcardPolicy(r.build, 'AppTablesPolicy', this.appTablesReason, [this.appTables('RecordBuilds', ['dynamodb:UpdateItem'])]);
    this.startExecution('build', 'release');
    this.readChildExecutions('build', 'release');

    // release: run the release task (.sync), judge it, start deploy.
    this.wildcardPolicy(
      r.release,
      'ReleaseTaskPolicy',
      `RunTask: any revision of Slipway's task-definition families (${this.props.prefix}-*), only in this cluster; StopTask/DescribeTasks/TagResource: task IDs are generated by ECS, limited to tasks in this cluster (tag only at RunTask); PassRole: the roles tagged for this control plane, only to ECS tasks.`,
      [
        new iam.PolicyStatement({ sid: 'RunReleaseTask', actions: ['ecs:RunTask'], resources: [this.familyArns()], conditions: this.clusterCondition() }),
        new iam.PolicyStatement({ sid: 'WatchReleaseTask', actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [this.clusterTasks()], conditions: this.clusterCondition() }),
        tagOnCreateStatement('TagReleaseTask', [this.clusterTasks()], 'RunTask'),
      ],
    );
    r.release.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcsSyncManagedRule',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: ECS_SYNC_RULE })],
      }),
    );
    this.passAppRoles(r.release);
    this.invoke('release', 'checkReleaseTask');
    this.startExecution('release', 'deploy');
    this.readChildExecutions('release', 'deploy');

    // deploy: update each service, wait for its deployment, record the release.
    this.invoke('deploy', 'updateService');
    this.wildcardPolicy(r.deploy, 'AppTablesPolicy', this.appTablesReason, [this.appTables('RecordReleases', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])]);

    // config-change: read the change, claim the redeploy, wait for the app's running deploys/releases (register-config-revisions finds them), register, start deploy or schedules.
    this.invoke('config-change', 'parseParameterChange', 'registerConfigRevisions');
    this.wildcardPolicy(r['config-change'], 'AppTablesPolicy', this.appTablesReason, [this.appTables('ClaimRedeploys', ['dynamodb:UpdateItem'])]);
    this.startExecution('config-change', 'deploy', 'schedules');

    // schedules: one handler does the validation and the changes.
    this.invoke('schedules', 'syncSchedules');

    // The started/succeeded milestones; failures and redrives are announced by execution-status.
    for (const pipeline of ['build', 'release', 'deploy'] as const) r[pipeline].addToPolicy(milestoneStatement(this));
    for (const pipeline of STATE_MACHINES) acknowledgeWildcards(r[pipeline], this.settingsReason);
  }

  private grantFunctions(): void {
    const f = this.functions;
    const stack = Stack.of(this);
    const services = this.serviceArn('*');
    // SendTaskSuccess/SendTaskFailure have no resource types in the Service Authorization Reference (Step
    // Functions: "Resource types" empty, so Resource must be "*"): a grant on the deploy state machine's ARN
    // would be denied by AWS. A task token can only be used by whoever holds it (the waiter item).
    const sendTaskResponse = () => new iam.PolicyStatement({ sid: 'ResumeDeploy', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] });
    const familyArns = this.familyArns();
    // The handlers that serve one app read its settings themselves (functions/shared/settings-store.ts);
    // check-release-task judges the task it is given and deployment-events the waiters it finds.
    for (const key of Object.keys(f) as PipelineFunctionKey[]) if (key !== 'checkReleaseTask' && key !== 'deploymentEvents') this.readSettings(f[key].role, key === 'syncSchedules' ? ['schedules'] : []);

    const registerRevisions = (role: iam.Role, id: string) =>
      this.wildcardPolicy(
        role,
        id,
        `ssm:DescribeParameters (names and metadata only, never values), ecs:ListTaskDefinitions, DescribeTaskDefinition and RegisterTaskDefinition support no resource-level permissions (RegisterTaskDefinition only for requests tagged ${TAG_APP}); TagResource only at registration, on Slipway's families (${this.props.prefix}-*); the apps' tables by tag; PassRole of the roles tagged for this control plane.`,
        [
          new iam.PolicyStatement({ sid: 'ListConfigKeyNames', actions: ['ssm:DescribeParameters'], resources: ['*'] }),
          new iam.PolicyStatement({ sid: 'FindRevisions', actions: ['ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition'], resources: ['*'] }),
          new iam.PolicyStatement({
            sid: 'RegisterTaggedRevisions',
            actions: ['ecs:RegisterTaskDefinition'],
            resources: ['*'],
            // The handler tags each revision with its app; an untagged request is refused.
            conditions: { Null: { [`aws:RequestTag/${TAG_APP}`]: 'false' } },
          }),
          tagOnCreateStatement('TagNewRevisions', [familyArns], 'RegisterTaskDefinition'),
        ],
      );

    // register-task-definitions (build): revisions with the build's image, the build record.
    registerRevisions(f.registerTaskDefinitions.role, 'TaskDefinitionsPolicy');
    this.passAppRoles(f.registerTaskDefinitions.role);

    // register-config-revisions: the same, with the config keys that exist now; reads the current release.
    registerRevisions(f.registerConfigRevisions.role, 'ConfigRevisionsPolicy');
    this.passAppRoles(f.registerConfigRevisions.role);
    this.wildcardPolicy(f.registerConfigRevisions.role, 'AppTablesPolicy', this.appTablesReason, [this.appTables('ReadReleases', ['dynamodb:GetItem'])]);
    // ... and finds the app's running deploys and releases (findRunningPipelines): ListExecutions of the two
    // shared machines, then DescribeExecution of a running one whose name does not say the app.
    f.registerConfigRevisions.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'FindRunningPipelines', actions: ['states:ListExecutions'], resources: [this.stateMachineArn('deploy'), this.stateMachineArn('release')] }),
    );
    this.wildcardPolicy(
      f.registerConfigRevisions.role,
      'RunningPipelinesPolicy',
      'Execution ARNs end in names chosen per build; limited to the executions of this control plane\'s deploy and release state machines (read-only).',
      [new iam.PolicyStatement({ sid: 'ReadRunningPipelines', actions: ['states:DescribeExecution'], resources: [this.executionsArn('deploy'), this.executionsArn('release')] })],
    );

    // update-service
    const update = f.updateService.role;
    update.addToPolicy(
      new iam.PolicyStatement({ sid: 'ManageServices', actions: ['ecs:DescribeServices', 'ecs:CreateService', 'ecs:UpdateService'], resources: [services], conditions: this.clusterCondition() }),
    );
    update.addToPolicy(tagOnCreateStatement('TagNewServices', [services], 'CreateService'));
    update.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AutoscalingServiceLinkedRole',
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: 'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
          }),
        ],
        conditions: { StringLike: { 'iam:AWSServiceName': 'ecs.application-autoscaling.amazonaws.com' } },
      }),
    );
    this.wildcardPolicy(
      update,
      'AutoscalingPolicy',
      `Application Auto Scaling scalable targets and scaling policies get generated IDs and DescribeScalableTargets supports no resource-level permissions; target-tracking alarms are named TargetTracking-service/<cluster>/<service>-<suffix>, limited here to services of ${this.props.clusterName}.`,
      [
        new iam.PolicyStatement({
          sid: 'Autoscaling',
          actions: [...SERVICE_AUTOSCALING_ACTIONS],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'TargetTrackingAlarms',
          actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
          resources: [
            stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `TargetTracking-service/${this.props.clusterName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ],
        }),
      ],
    );
    this.wildcardPolicy(
      update,
      'ServicesPolicy',
      `Services of this cluster (${this.props.clusterName}/*, named <app>--<process> by the deploys); ecs:DescribeTaskDefinition supports no resource-level permissions (update-service reads the running revision's tags).`,
      [new iam.PolicyStatement({ sid: 'DescribeRevisions', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] })],
    );
    // The app's records (claims, releases) in its table; the waiter (task token) in the control table.
    this.wildcardPolicy(update, 'AppTablesPolicy', this.appTablesReason, [
      // The deploy claim, re-taken after a redrive (the records themselves are written by the deploy machine).
      // GetItem: the deploy's check reads the build's record (functions/update-service/check-deploy.ts),
      // a deploy the process type's stored scale. Query and UpdateItem: the release's number
      // (functions/update-service/record-release.ts looks back for the release a rollback deploys again).
      this.appTables('RecordDeploys', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
    ]);
    this.table.grant(update, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
    this.wildcardPolicy(update, 'TaskTokensPolicy', TASK_TOKENS_REASON, [sendTaskResponse()]);

    // deployment-events: only the control table (waiters), the cluster's services, the deploys' task tokens.
    f.deploymentEvents.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'DescribeServices', actions: ['ecs:DescribeServices'], resources: [services], conditions: this.clusterCondition() }),
    );
    this.wildcardPolicy(f.deploymentEvents.role, 'TaskTokensPolicy', TASK_TOKENS_REASON, [sendTaskResponse()]);
    this.table.grant(f.deploymentEvents.role, 'dynamodb:Query', 'dynamodb:UpdateItem');

    // execution-status: reads the histories of the control plane's executions, records failures in the app's table, releases claims, announces.
    const status = f.executionStatus.role;
    this.wildcardPolicy(
      status,
      'ExecutionHistoryPolicy',
      'Execution ARNs end in the execution name, chosen per build by the pipelines or EventBridge: limited to the executions of this control plane\'s five state machines; the apps\' tables by tag.',
      [
        new iam.PolicyStatement({ sid: 'ReadExecutions', actions: ['states:GetExecutionHistory', 'states:DescribeExecution'], resources: STATE_MACHINES.map((n) => this.executionsArn(n)) }),
        this.appTables('RecordFailures', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
      ],
    );
    status.addToPolicy(new iam.PolicyStatement({ sid: 'ListExecutions', actions: ['states:ListExecutions'], resources: STATE_MACHINES.map((n) => this.stateMachineArn(n)) }));
    // The sweep's high-water mark: only its own item of the control table (partition key SWEEP).
    status.addToPolicy(
      new iam.PolicyStatement({ sid: 'SweepMark', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [this.table.tableArn], conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [SWEEP_MARK.pk] } } }),
    );
    status.addToPolicy(milestoneStatement(this));

    // sync-schedules: the schedules parameter (readSettings above), the current release, the apps' schedule groups.
    const sync = f.syncSchedules.role;
    this.wildcardPolicy(
      sync,
      'SchedulesPolicy',
      `Schedules get their names from the app's list: limited to the groups of this control plane's apps (${scheduleGroupPattern(this.props.prefix, this.props.name)}/*) tagged ${TAG_CONTROL_PLANE}=<this control plane>; scheduler:ListSchedules supports no resource-level permissions (the handler lists only the app's group); the apps' tables by tag.`,
      [
        new iam.PolicyStatement({
          sid: 'ManageAppSchedules',
          actions: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
          resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${scheduleGroupPattern(this.props.prefix, this.props.name)}/*` })],
          // Only in the schedule groups of this control plane's apps: schedules carry no tags of their own,
          // Scheduler authorizes them on their group's (Service Authorization Reference, Amazon EventBridge
          // Scheduler: CreateSchedule ... DeleteSchedule take aws:ResourceTag; EventBridge Scheduler User
          // Guide, "Managing a schedule group": "you apply tags to schedule groups, not to individual schedules").
          conditions: { StringEquals: { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: this.props.name } },
        }),
        new iam.PolicyStatement({ sid: 'ListSchedules', actions: ['scheduler:ListSchedules'], resources: ['*'] }),
        this.appTables('ReadReleases', ['dynamodb:GetItem']),
      ],
    );
    sync.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );

    for (const key of Object.keys(f) as PipelineFunctionKey[]) acknowledgeWildcards(f[key].role, this.settingsReason);
  }
}

/** `parse-build-event` -> `ParseBuildEvent`. */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

