import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { APP_NAME, APP_NAME_MAX, PROCESS_NAME, RESOURCE_NAME } from '../../functions/shared/settings';
import { WAITER_TTL_ATTRIBUTE } from '../../functions/shared/waiters';
import {
  aslPlaceholders,
  executionStatusEventPattern,
  MILESTONE_SOURCE,
  PIPELINE_FUNCTIONS,
  STATE_MACHINES,
  SUBSTITUTIONS,
  scheduleGroupName,
  stateMachineName,
  serviceName,
  taskDefinitionFamily,
  type PipelineFunctionKey,
  type StateMachineName,
  type Substitution,
} from '../pipeline-contract';
import { wireConfigAndSchedules, type ConfigAndSchedules } from './config-schedules';
import { SlipwayFunction } from './slipway-function';

/** The repository's `statemachines/` folder: `<name>.asl.json` per state machine. */
export const STATE_MACHINES_DIR = path.join(__dirname, '..', '..', 'statemachines');

/** The managed rule Step Functions creates for `ecs:runTask.sync` (it watches the task's state). */
const ECS_SYNC_RULE = 'StepFunctionsGetEventsForECSTaskRule';

export interface PipelinesProps {
  /** Prefix of every name (state machines, families): `<prefix>-<app>-...`. */
  readonly prefix: string;
  /** The app's name (config `apps[].name`). */
  readonly appName: string;
  /** Process types of the app (web, worker, ...): they fix the task-definition families and service names the pipelines may touch. */
  readonly processes: readonly string[];
  /** The ECS cluster the app's services and release tasks run in. */
  readonly cluster: ecs.ICluster;
  /** Name of the app's CodeBuild project: its build state changes start the `build` pipeline. */
  readonly codeBuildProjectName: string;
  /** ECS task execution role of the app's task definitions (passed to ECS). */
  readonly executionRole: iam.IRole;
  /** ECS task role of the app's task definitions (passed to ECS). */
  readonly taskRole: iam.IRole;
  /**
   * Log group for the state machines' execution history (level ALL).
   * @default - a new log group under /aws/vendedlogs/states/ with `logRetention`
   */
  readonly activityLogGroup?: logs.ILogGroup;
  /**
   * Retention of the log groups this construct creates (the functions', and the activity log group
   * unless `activityLogGroup` is given).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** How often `deployment-events` sweeps waiting deploys (the fallback for lost ECS events). @default Duration.minutes(5) */
  readonly sweepInterval?: Duration;
  /** What happens to the app's table (build and release history) when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /** Folder with the `<name>.asl.json` files. @default the repository's statemachines/ */
  readonly stateMachinesDir?: string;
  /** Seconds a config change waits for more changes before redeploying (app config `configDebounceSeconds`). @default 30 */
  readonly configDebounceSeconds?: number;
}

/**
 * An app's build -> release -> deploy pipelines: its DynamoDB table, the seven Lambda handlers, the
 * three Standard state machines loaded from `statemachines/*.asl.json`, the EventBridge rules that
 * start and resume them, and every IAM grant they need (a definition file gives CDK nothing to infer
 * grants from, so each is written out here and scoped to this app).
 */
export class Pipelines extends Construct {
  /** The app's table: settings record, builds, releases, waiting deploys. */
  public readonly table: dynamodb.Table;
  /** The handlers, by contract key. */
  public readonly functions: Record<PipelineFunctionKey, SlipwayFunction>;
  /** The state machines. */
  public readonly stateMachines: Record<StateMachineName, sfn.StateMachine>;
  /** Each state machine's execution role. */
  public readonly stateMachineRoles: Record<StateMachineName, iam.Role>;
  /** Log group of the state machines' execution history. */
  public readonly activityLogGroup: logs.ILogGroup;
  /** Starts `build` on the app's CodeBuild build state changes. */
  public readonly buildRule: events.Rule;
  /** Sends the app's ECS deployment state changes to `deployment-events`. */
  public readonly deploymentEventsRule: events.Rule;
  /** Runs `deployment-events` and `execution-status` on a schedule (sweep). */
  public readonly sweepRule: events.Rule;
  /** Sends the status changes of the app's executions (failed, timed out, aborted, redriven) to `execution-status`. */
  public readonly executionStatusRule: events.Rule;
  /** Config changes and scheduled tasks: their rules, schedule group and scheduler role. */
  public readonly configAndSchedules: ConfigAndSchedules;

  private readonly props: PipelinesProps;

  constructor(scope: Construct, id: string, props: PipelinesProps) {
    super(scope, id);
    this.validateProps(props);
    this.props = props;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const definitions = this.readDefinitions(props.stateMachinesDir ?? STATE_MACHINES_DIR);

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
      // Waiter items (functions/shared/waiters.ts) carry `expiresAt` (epoch seconds): DynamoDB deletes them after it.
      timeToLiveAttribute: WAITER_TTL_ATTRIBUTE,
    });

    this.activityLogGroup =
      props.activityLogGroup ??
      new logs.LogGroup(this, 'ActivityLogGroup', {
        logGroupName: `/aws/vendedlogs/states/${props.prefix}-${props.appName}`,
        retention,
        removalPolicy: RemovalPolicy.DESTROY,
      });

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
    this.configAndSchedules = wireConfigAndSchedules(this, props);

    this.buildRule = new events.Rule(this, 'BuildStateChangeRule', {
      description: `Starts ${this.name('build')} when a build of ${props.codeBuildProjectName} changes state`,
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: ['CodeBuild Build State Change'],
        detail: { 'project-name': [props.codeBuildProjectName] },
      },
      // No `input`: the whole event is the execution's input.
      targets: [new targets.SfnStateMachine(this.stateMachines.build)],
    });
    this.deploymentEventsRule = new events.Rule(this, 'DeploymentStateChangeRule', {
      description: `Resumes ${this.name('deploy')} executions waiting on deployments of ${props.appName}'s services`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Deployment State Change'],
        resources: events.Match.prefix(this.serviceArn(`${props.appName}-`)),
      },
      targets: [new targets.LambdaFunction(this.functions.deploymentEvents.function)],
    });
    this.sweepRule = new events.Rule(this, 'DeploymentSweepRule', {
      description: `Checks ${props.appName}'s waiting deploys when ECS events were missed`,
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.minutes(5)),
      // execution-status repairs the records of executions whose status event never arrived.
      targets: [new targets.LambdaFunction(this.functions.deploymentEvents.function), new targets.LambdaFunction(this.functions.executionStatus.function)],
    });
    const pattern = executionStatusEventPattern(STATE_MACHINES.map((n) => this.stateMachineArn(n)));
    this.executionStatusRule = new events.Rule(this, 'ExecutionStatusRule', {
      description: `Records, releases and announces failed and redriven executions of ${props.appName}'s state machines`,
      eventPattern: { source: [...pattern.source], detailType: [...pattern['detail-type']], detail: pattern.detail },
      targets: [new targets.LambdaFunction(this.functions.executionStatus.function)],
    });
  }

  /** ARN of one of this app's state machines, built from its deterministic name (no reference, no cycle). */
  public stateMachineArn(pipeline: StateMachineName): string {
    return Stack.of(this).formatArn({ service: 'states', resource: 'stateMachine', resourceName: this.name(pipeline), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** ARNs of the executions of one of this app's state machines. */
  public executionsArn(pipeline: StateMachineName): string {
    return Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${this.name(pipeline)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  private name(pipeline: StateMachineName): string {
    return stateMachineName(this.props.prefix, this.props.appName, pipeline);
  }

  private serviceArn(name: string): string {
    return Stack.of(this).formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.props.cluster.clusterName}/${name}` });
  }

  private validateProps(props: PipelinesProps): void {
    if (!APP_NAME.test(props.appName)) {
      throw new Error(`Pipelines appName "${props.appName}" must be lowercase letters, digits and hyphens, starting with a letter, ${APP_NAME_MAX} characters at most (<app>-<build id>-release must fit Step Functions' 80-character execution names)`);
    }
    if (!RESOURCE_NAME.test(props.prefix)) {
      throw new Error(`Pipelines prefix "${props.prefix}" must be lowercase letters, digits and hyphens, starting with a letter, 40 characters at most`);
    }
    if (props.processes.length === 0) {
      throw new Error(`Pipelines processes must name at least one process type of app "${props.appName}"`);
    }
    for (const p of props.processes) {
      if (!PROCESS_NAME.test(p)) throw new Error(`Pipelines processes: "${p}" is not a valid process name (lowercase letters, digits and hyphens, starting with a letter)`);
    }
    const duplicate = props.processes.find((p, i) => props.processes.indexOf(p) !== i);
    if (duplicate) throw new Error(`Pipelines processes lists "${duplicate}" twice`);
    const group = scheduleGroupName(props.prefix, props.appName);
    if (group.length > 64) throw new Error(`Pipelines: the schedule group "${group}" is ${group.length} characters, EventBridge Scheduler allows at most 64: shorten prefix or appName`);
    for (const pipeline of STATE_MACHINES) {
      const name = stateMachineName(props.prefix, props.appName, pipeline);
      if (name.length > 80) throw new Error(`state machine name "${name}" is longer than 80 characters: shorten prefix or appName`);
    }
    if (props.sweepInterval) {
      const minutes = props.sweepInterval.toMinutes({ integral: false });
      if (!Number.isInteger(minutes) || minutes < 1) {
        throw new Error(`Pipelines sweepInterval must be a whole number of minutes (at least 1), got ${props.sweepInterval.toHumanString()}`);
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
        throw new Error(`${file} uses placeholders that lib/pipeline-contract.ts does not define for "${pipeline}": ${unknown.map((p) => `\${${p}}`).join(', ')}`);
      }
      return definition;
    };
    return { build: read('build'), release: read('release'), deploy: read('deploy'), 'config-change': read('config-change'), schedules: read('schedules') };
  }

  private buildFunctions(retention: logs.RetentionDays): Record<PipelineFunctionKey, SlipwayFunction> {
    const environment = { APP_NAME: this.props.appName, TABLE_NAME: this.table.tableName, CLUSTER_ARN: this.props.cluster.clusterArn };
    const make = (key: PipelineFunctionKey, description: string) =>
      new SlipwayFunction(this, pascal(PIPELINE_FUNCTIONS[key]), { name: PIPELINE_FUNCTIONS[key], description, environment, logRetention: retention });
    return {
      parseBuildEvent: make('parseBuildEvent', `${this.props.appName}: turns a CodeBuild build event into a build record`),
      registerTaskDefinitions: make('registerTaskDefinitions', `${this.props.appName}: registers a task-definition revision per process type`),
      checkReleaseTask: make('checkReleaseTask', `${this.props.appName}: turns the stopped release task into a verdict`),
      updateService: make('updateService', `${this.props.appName}: creates or updates a process type's ECS service and waits for the deployment (task token)`),
      deploymentEvents: make('deploymentEvents', `${this.props.appName}: resumes deploys on ECS deployment events and sweeps (final check at the deploy timeout)`),
      executionStatus: new SlipwayFunction(this, pascal(PIPELINE_FUNCTIONS.executionStatus), {
        name: PIPELINE_FUNCTIONS.executionStatus,
        description: `${this.props.appName}: records, releases and announces failed and redriven executions (Step Functions status events)`,
        environment: { ...environment, STATE_MACHINE_ARNS: Stack.of(this).toJsonString(Object.fromEntries(STATE_MACHINES.map((n) => [n, this.stateMachineArn(n)]))) },
        logRetention: retention,
      }),
      parseParameterChange: make('parseParameterChange', `${this.props.appName}: reads a Parameter Store change of the app's config`),
      registerConfigRevisions: make('registerConfigRevisions', `${this.props.appName}: registers revisions with the current config keys`),
      syncSchedules: make('syncSchedules', `${this.props.appName}: syncs the app's schedules to EventBridge Scheduler`),
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
      description: `Slipway ${this.name(pipeline)} state machine`,
    });
    const servicePolicy = new iam.Policy(role, 'ServicePolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'LogDelivery',
          actions: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'Tracing',
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
          resources: ['*'],
        }),
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
      stateMachineName: this.name(pipeline),
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
        case 'appName':
          return this.props.appName;
        case 'tableName':
          return this.table.tableName;
        case 'clusterArn':
          return this.props.cluster.clusterArn;
        case 'function':
          return this.functions[s.fn].function.functionArn;
        case 'stateMachine':
          return this.stateMachineArn(s.name);
      }
    };
    return Object.fromEntries(Object.entries(SUBSTITUTIONS[pipeline]).map(([key, s]) => [key, value(s)]));
  }

  private invoke(pipeline: StateMachineName, ...fns: PipelineFunctionKey[]): void {
    this.stateMachineRoles[pipeline].addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokeHandlers', actions: ['lambda:InvokeFunction'], resources: fns.map((f) => this.functions[f].function.functionArn) }),
    );
  }

  private startExecution(pipeline: StateMachineName, child: StateMachineName): void {
    this.stateMachineRoles[pipeline].addToPolicy(
      new iam.PolicyStatement({ sid: `Start${pascal(child)}`, actions: ['states:StartExecution'], resources: [this.stateMachineArn(child)] }),
    );
  }

  private passRoles(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: [this.props.executionRole.roleArn, this.props.taskRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
  }

  private families(): string[] {
    return this.props.processes.map((p) => taskDefinitionFamily(this.props.prefix, this.props.appName, p));
  }

  private taskDefinitionArns(): string[] {
    const stack = Stack.of(this);
    return this.families().map((family) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${family}:*` }));
  }

  private serviceArns(): string[] {
    return this.props.processes.map((p) => this.serviceArn(serviceName(this.props.appName, p)));
  }

  /**
   * Statements that need a wildcard (generated IDs, revisions, actions without resource-level
   * permissions) go in a policy of their own, a child of the role, whose cdk-nag IAM5 acknowledgement
   * carries the reason; the role's default policy (every other grant) stays fully checked.
   */
  private wildcardPolicy(role: iam.Role, id: string, reason: string, statements: iam.PolicyStatement[]): iam.Policy {
    const policy = new iam.Policy(role, id, { statements });
    role.attachInlinePolicy(policy);
    acknowledgeWildcards(policy, reason);
    return policy;
  }

  private grantStateMachines(): void {
    const { build, release, deploy } = this.stateMachineRoles;
    const stack = Stack.of(this);
    const recordActions = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    const clusterCondition = { ArnEquals: { 'ecs:cluster': this.props.cluster.clusterArn } };
    // Scoped to the cluster by the ecs:cluster condition: a cluster-name token inside a wildcard ARN
    // would make the cdk-nag finding ID depend on the cross-stack export name.
    const clusterTasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' });

    // build: record the build, register revisions, start release.
    this.invoke('build', 'parseBuildEvent', 'registerTaskDefinitions');
    this.table.grant(build, ...recordActions);
    this.startExecution('build', 'release');

    // release: run the release task (.sync), judge it, start deploy.
    this.wildcardPolicy(
      release,
      'ReleaseTaskPolicy',
      'RunTask: any revision of the app\'s own task-definition families (a new revision per build), only in the app\'s cluster; StopTask/DescribeTasks/TagResource: task IDs are generated by ECS, limited to tasks in the app\'s cluster.',
      [
        new iam.PolicyStatement({ sid: 'RunReleaseTask', actions: ['ecs:RunTask'], resources: this.taskDefinitionArns(), conditions: clusterCondition }),
        new iam.PolicyStatement({ sid: 'WatchReleaseTask', actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [clusterTasks], conditions: clusterCondition }),
        new iam.PolicyStatement({
          sid: 'TagReleaseTask',
          actions: ['ecs:TagResource'],
          resources: [clusterTasks],
          // Tag-on-create is authorized by ecs:CreateAction; ecs:cluster is not in that request's context,
          // so a cluster condition here would deny the tags (RunTask itself is limited to the cluster above).
          conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
        }),
      ],
    );
    release.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcsSyncManagedRule',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: ECS_SYNC_RULE })],
      }),
    );
    this.passRoles(release);
    this.invoke('release', 'checkReleaseTask');
    this.startExecution('release', 'deploy');
    // No table access: the release's failure is recorded by execution-status.

    // deploy: update each service, wait for its deployment, record the release.
    this.invoke('deploy', 'updateService');
    this.table.grant(deploy, ...recordActions);

    // The started/succeeded milestones; failures and redrives are announced by execution-status.
    for (const pipeline of ['build', 'release', 'deploy'] as const) this.announce(pipeline);
  }

  /** Milestone events: PutEvents on the default bus, and only with Slipway's own source. */
  private announce(pipeline: StateMachineName): void {
    this.stateMachineRoles[pipeline].addToPolicy(this.milestoneStatement());
  }

  private milestoneStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
        sid: 'AnnounceMilestones',
        actions: ['events:PutEvents'],
        resources: [Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
        conditions: { StringEquals: { 'events:source': MILESTONE_SOURCE } },
      });
  }

  private grantFunctions(): void {
    const f = this.functions;
    const stack = Stack.of(this);
    const clusterCondition = { ArnEquals: { 'ecs:cluster': this.props.cluster.clusterArn } };
    const services = this.serviceArns();
    const sendTaskResponse = () =>
      new iam.PolicyStatement({ sid: 'ResumeDeploy', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [this.stateMachineArn('deploy')] });
    const describeServices = () =>
      new iam.PolicyStatement({ sid: 'DescribeServices', actions: ['ecs:DescribeServices'], resources: services, conditions: clusterCondition });

    // parse-build-event reads the settings record (project, image repository); check-release-task
    // judges the task it is given and needs no AWS access beyond its logs.
    this.table.grant(f.parseBuildEvent.role, 'dynamodb:GetItem');

    // register-task-definitions
    const register = f.registerTaskDefinitions.role;
    this.wildcardPolicy(
      register,
      'TaskDefinitionsPolicy',
      'ecs:RegisterTaskDefinition, ListTaskDefinitions and DescribeTaskDefinition support no resource-level permissions (RegisterTaskDefinition is limited to requests tagged slipway:app=<this app>); TagResource at registration covers any revision of the app\'s own families.',
      [
        new iam.PolicyStatement({
          sid: 'RegisterTaggedRevisions',
          actions: ['ecs:RegisterTaskDefinition'],
          resources: ['*'],
          // The handler tags each revision with its app; a request tagged for another app is refused.
          conditions: { StringEquals: { 'aws:RequestTag/slipway:app': this.props.appName } },
        }),
        new iam.PolicyStatement({ sid: 'FindRevisions', actions: ['ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'TagNewRevisions',
          actions: ['ecs:TagResource'],
          resources: this.taskDefinitionArns(),
          conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
        }),
      ],
    );
    this.passRoles(register);
    this.table.grant(register, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');

    // update-service
    const update = f.updateService.role;
    update.addToPolicy(
      new iam.PolicyStatement({ sid: 'ManageServices', actions: ['ecs:DescribeServices', 'ecs:CreateService', 'ecs:UpdateService'], resources: services, conditions: clusterCondition }),
    );
    update.addToPolicy(
      new iam.PolicyStatement({ sid: 'TagNewServices', actions: ['ecs:TagResource'], resources: services, conditions: { StringEquals: { 'ecs:CreateAction': 'CreateService' } } }),
    );
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
      'Application Auto Scaling scalable targets and scaling policies get generated IDs and DescribeScalableTargets supports no resource-level permissions; target-tracking alarms are named TargetTracking-service/<cluster>/<service>-<suffix>, limited here to the app\'s services.',
      [
        new iam.PolicyStatement({
          sid: 'Autoscaling',
          actions: [
            'application-autoscaling:RegisterScalableTarget',
            'application-autoscaling:PutScalingPolicy',
            'application-autoscaling:DescribeScalableTargets',
            // The scale-to-zero schedule of non-production apps (functions/update-service/scaling.ts).
            'application-autoscaling:PutScheduledAction',
            'application-autoscaling:DescribeScheduledActions',
            'application-autoscaling:DeleteScheduledAction',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'TargetTrackingAlarms',
          actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
          resources: [
            stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `TargetTracking-service/*/${this.props.appName}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    );
    this.wildcardPolicy(update, 'TaskDefinitionReadPolicy', 'ecs:DescribeTaskDefinition supports no resource-level permissions (update-service reads the running revision\'s tags).', [
      new iam.PolicyStatement({ sid: 'DescribeRevisions', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }),
    ]);
    this.table.grant(update, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');

    // update-service also stores the waiter (task token), reads the waiters of its service (which attempt
    // started a deployment), re-claims the app after a redrive, and resumes a deploy whose deployment
    // already settled (or whose service runs a newer build).
    update.addToPolicy(sendTaskResponse());

    // deployment-events (settled waiters are kept, marked, until their TTL)
    f.deploymentEvents.role.addToPolicy(describeServices());
    f.deploymentEvents.role.addToPolicy(sendTaskResponse());
    this.table.grant(f.deploymentEvents.role, 'dynamodb:Query', 'dynamodb:UpdateItem');

    // execution-status: reads the histories of the app's executions, records failures, releases claims, announces.
    const status = f.executionStatus.role;
    this.wildcardPolicy(
      status,
      'ExecutionHistoryPolicy',
      'Execution ARNs end in the execution name, which Step Functions and the pipelines choose per build: the wildcard is limited to the executions of this app\'s own state machines (<prefix>-<app>-<pipeline>:*).',
      [
        new iam.PolicyStatement({
          sid: 'ReadExecutions',
          actions: ['states:GetExecutionHistory', 'states:DescribeExecution'],
          resources: STATE_MACHINES.map((n) => this.executionsArn(n)),
        }),
      ],
    );
    status.addToPolicy(new iam.PolicyStatement({ sid: 'ListExecutions', actions: ['states:ListExecutions'], resources: STATE_MACHINES.map((n) => this.stateMachineArn(n)) }));
    status.addToPolicy(this.milestoneStatement());
    this.table.grant(status, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }
}

/**
 * Acknowledges, with `reason`, exactly the cdk-nag AwsSolutions-IAM5 findings (wildcard actions and
 * resources) that the policy holds now (for a role: its default policy). Call it once the policy is
 * complete; a wildcard added later is still reported. Wildcard ARNs must not contain cross-stack
 * tokens (their rendering changes when CDK turns them into imports).
 */
export function acknowledgeWildcards(scope: iam.Policy | iam.Role, reason: string): void {
  const cfn = (scope instanceof iam.Role ? scope.node.tryFindChild('DefaultPolicy') : scope)?.node.defaultChild as iam.CfnPolicy | undefined;
  if (!cfn) throw new Error(`acknowledgeWildcards: ${scope.node.path} has no policy yet`);
  const document = Stack.of(scope).resolve(cfn.policyDocument) as { Statement: { Effect: string; Action: string | string[]; Resource?: unknown }[] };
  const findings = new Set<string>();
  for (const st of document.Statement) {
    if (st.Effect !== 'Allow') continue;
    for (const a of ([] as string[]).concat(st.Action)) if (a.includes('*')) findings.add(`Action::${a}`);
    for (const r of ([] as unknown[]).concat(st.Resource ?? [])) {
      const flat = flattenReference(r);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  if (findings.size > 0) Validations.of(scope).acknowledge(...[...findings].map((f) => ({ id: `AwsSolutions-IAM5[${f}]`, reason })));
}

/** A resolved CloudFormation value as cdk-nag prints it in finding IDs (`<Logical.Attr>`, `<AWS::Region>`). */
function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = node as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (o['Fn::Sub']) return flattenReference(o['Fn::Sub']);
  if (o['Fn::GetAtt']) {
    const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (o['Fn::ImportValue']) return flattenReference(o['Fn::ImportValue']);
  if (o.Ref) return `<${flattenReference(o.Ref)}>`;
  return JSON.stringify(node);
}

/** `parse-build-event` -> `ParseBuildEvent`. */
function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

