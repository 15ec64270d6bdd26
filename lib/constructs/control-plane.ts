import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import { RESOURCE_NAME } from '../../domain/settings';
import { aslPlaceholders, CONTROL_PLANE_ENV, PIPELINE_FUNCTIONS, STATE_MACHINES, SUBSTITUTIONS, stateMachineName, type PipelineFunctionKey, type StateMachineName, type Substitution, scheduleGroupPattern, controlPlaneFunctionName, controlPlaneLogGroupName, TAG_APP, TAG_CONTROL_PLANE } from '../../domain';
import { acknowledgeWildcards, LOG_DELIVERY_ACTIONS, tagOnCreateStatement, TRACING_ACTIONS } from './policy-statements';
import { pipelineTable } from './pipeline-table';
import { SlipwayFunction } from './slipway-function';
import { addControlPlaneRules, type ControlPlaneRules } from './control-plane/rules';
import { ControlPlaneGrants } from './control-plane/grant-tools';
import { grantBuildMachine } from './control-plane/grants/build-machine';
import { grantReleaseMachine } from './control-plane/grants/release-machine';
import { grantDeployMachine } from './control-plane/grants/deploy-machine';
import { grantConfigChangeMachine } from './control-plane/grants/config-change-machine';
import { grantSchedulesMachine } from './control-plane/grants/schedules-machine';
import { grantParseBuildEvent } from './control-plane/grants/parse-build-event';
import { grantRegisterTaskDefinitions } from './control-plane/grants/register-task-definitions';
import { grantCheckReleaseTask } from './control-plane/grants/check-release-task';
import { grantUpdateService } from './control-plane/grants/update-service';
import { grantDeploymentEvents } from './control-plane/grants/deployment-events';
import { grantExecutionStatus } from './control-plane/grants/execution-status';
import { grantParseParameterChange } from './control-plane/grants/parse-parameter-change';
import { grantRegisterConfigRevisions } from './control-plane/grants/register-config-revisions';
import { grantSyncSchedules } from './control-plane/grants/sync-schedules';

/** The repository's `statemachines/` folder: `<name>.asl.json` per state machine. */
export const STATE_MACHINES_DIR = path.join(__dirname, '..', '..', 'statemachines');

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

// The rules are in control-plane/rules.ts, each state machine's and handler's grants in control-plane/grants/.
export { DEPLOY_SUCCEEDED, type ControlPlaneRules } from './control-plane/rules';

// The build marker lives in domain/ (the simulated account's build rule matches it too).
export { CONTROL_PLANE_BUILD_VARIABLE, controlPlaneBuildMarker } from '../../domain/build-marker';

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
  /** The IAM building blocks the grants in control-plane/grants/ use. */
  private readonly grants: ControlPlaneGrants;

  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id);
    this.validateProps(props);
    this.props = props;
    this.name = props.name;
    this.grants = new ControlPlaneGrants(this, { prefix: props.prefix, clusterName: props.clusterName, clusterArn: props.cluster.clusterArn });
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
    this.rules = addControlPlaneRules(this, {
      prefix: props.prefix,
      name: props.name,
      clusterName: props.clusterName,
      sweepInterval: props.sweepInterval,
      stateMachines: this.stateMachines,
      functions: this.functions,
      stateMachineName: (pipeline) => this.smName(pipeline),
      stateMachineArn: (pipeline) => this.stateMachineArn(pipeline),
      executionArnPrefix: (pipeline) => this.executionArnPrefix(pipeline),
      serviceArn: (name) => this.grants.serviceArn(name),
    });
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
    role.addToPolicy(new iam.PolicyStatement({ sid: 'RunScheduledTasks', actions: ['ecs:RunTask'], resources: [this.grants.familyArns()], conditions: this.grants.clusterCondition() }));
    role.addToPolicy(tagOnCreateStatement('TagScheduledTasks', [this.grants.clusterTasks()], 'RunTask'));
    this.grants.passAppRoles(role);
    acknowledgeWildcards(
      role,
      `Scheduled tasks run any revision of Slipway's task-definition families (${this.props.prefix}-*, a new revision per build or config change) only in this cluster (ecs:cluster); task IDs are generated by ECS and may be tagged only as RunTask creates them; the roles passed are those tagged ${TAG_CONTROL_PLANE}=<this control plane>, only to ECS tasks.`,
    );
    return role;
  }

  /** Each state machine's grants (control-plane/grants/<pipeline>-machine.ts), in the order of STATE_MACHINES. */
  private grantStateMachines(): void {
    const byMachine: Record<StateMachineName, (g: ControlPlaneGrants) => void> = {
      build: grantBuildMachine,
      release: grantReleaseMachine,
      deploy: grantDeployMachine,
      'config-change': grantConfigChangeMachine,
      schedules: grantSchedulesMachine,
    };
    for (const pipeline of STATE_MACHINES) byMachine[pipeline](this.grants);
    for (const pipeline of STATE_MACHINES) acknowledgeWildcards(this.stateMachineRoles[pipeline], this.grants.settingsReason);
  }

  /** Each handler's grants (control-plane/grants/<handler>.ts). */
  private grantFunctions(): void {
    const byHandler: Record<PipelineFunctionKey, (g: ControlPlaneGrants) => void> = {
      parseBuildEvent: grantParseBuildEvent,
      registerTaskDefinitions: grantRegisterTaskDefinitions,
      checkReleaseTask: grantCheckReleaseTask,
      updateService: grantUpdateService,
      deploymentEvents: grantDeploymentEvents,
      executionStatus: grantExecutionStatus,
      parseParameterChange: grantParseParameterChange,
      registerConfigRevisions: grantRegisterConfigRevisions,
      syncSchedules: grantSyncSchedules,
    };
    for (const key of Object.keys(this.functions) as PipelineFunctionKey[]) byHandler[key](this.grants);
    for (const key of Object.keys(this.functions) as PipelineFunctionKey[]) acknowledgeWildcards(this.functions[key].role, this.grants.settingsReason);
  }
}

/** `parse-build-event` -> `ParseBuildEvent`. */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

