import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  appAlarmName,
  appParameterPath,
  configParameterPath,
  controlPlaneFunctionName,
  lambdaLogGroupName,
  operatorPolicyName,
  scheduleGroupName,
  appNamePrefix,
  PIPELINE_FUNCTIONS,
  schedulesParameterName,
  settingsParameterName,
  STATE_MACHINES,
  stateMachineName,
  TAG_APP,
  taskDefinitionFamily,
  type PipelineFunctionKey,
  type StateMachineName,
} from '../../domain';
import { SCALE_PK } from '../../domain/releases';
import type { AppConstructProps } from './app-construct-props';
import {
  acknowledgeWildcards,
  clusterCondition,
  clusterTasksArn,
  parameterArn,
  passRolesToEcsTasksStatement,
  TABLE_READ_ACTIONS,
  tagOnCreateStatement,
} from './policy-statements';

/** The pipelines that build executions go through and that name their executions `<app>-<build>-<pipeline>` (release and deploy); the others are started by EventBridge with names it chooses. */
const APP_NAMED_PIPELINES: readonly StateMachineName[] = ['release', 'deploy'];

export interface AppOperatorPoliciesProps extends AppConstructProps {
  /** The ARN of the ECS cluster the app's tasks run in. */
  readonly clusterArn: string;
  readonly project: codebuild.IProject;
  readonly table: dynamodb.ITable;
  /** The tasks' log group and the build log group. */
  readonly logGroups: readonly logs.ILogGroup[];
  /** The tasks' execution and task roles (`slipway run` passes them to ECS). */
  readonly taskRoles: readonly iam.IRole[];
  /** Other constructs of the app that add what the CLI needs on their resources (e.g. its alarms and services). */
  readonly grantsOf?: readonly CliGrants[];
}

/** A construct that grants the CLI's operator and developer commands what they need on its resources. */
export interface CliGrants {
  grantCli(operate: iam.ManagedPolicy, develop: iam.ManagedPolicy): void;
}

/**
 * The two customer-managed policies operators attach to their own principals (SSO permission sets,
 * groups, roles): no role per app. Each grants what lib/ops/permissions.ts lists for its commands, on
 * this app's resources; on the shared state machines, the executions named `<app>-*` (release, deploy)
 * and, read-only, every execution of the machines EventBridge starts (build, config-change, schedules:
 * EventBridge names them, without the app). See docs/control-plane.md.
 */
export class AppOperatorPolicies extends Construct {
  /** `<prefix>-<app>-operate`: what the CLI's operator commands need on this app (attach it to an operator's principal). */
  public readonly operate: iam.ManagedPolicy;
  /**
   * `<prefix>-<app>-develop`: the developer commands (read, redrive), to attach to a developer's principal.
   * No codebuild:StartBuild: a build is released and deployed, and no condition key can forbid every
   * override of StartBuild (sourceVersion has none), so starting a build is operate's.
   */
  public readonly develop: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AppOperatorPoliciesProps) {
    super(scope, id);
    const { prefix, app, controlPlane } = props;
    const stack = Stack.of(this);
    const appPath = appParameterPath(prefix, app.name);
    const configPath = configParameterPath(appPath);
    const states = (resource: string, name: string) => stack.formatArn({ service: 'states', resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const stateMachineArns = STATE_MACHINES.map((p) => states('stateMachine', stateMachineName(prefix, controlPlane, p)));
    const appExecutions = APP_NAMED_PIPELINES.map((p) => states('execution', `${stateMachineName(prefix, controlPlane, p)}:${appNamePrefix(app.name)}*`));
    const sharedExecutions = STATE_MACHINES.filter((p) => !APP_NAMED_PIPELINES.includes(p)).map((p) => states('execution', `${stateMachineName(prefix, controlPlane, p)}:*`));
    const functionNames = (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((f) => controlPlaneFunctionName(prefix, controlPlane, f));
    const functionArns = functionNames.map((n) => stack.formatArn({ service: 'lambda', resource: 'function', resourceName: n, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    const functionLogGroups = functionNames.map((n) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${lambdaLogGroupName(n)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    const appParameters = [parameterArn(this, configPath), parameterArn(this, `${configPath}/*`), parameterArn(this, schedulesParameterName(appPath))];

    const common = (): iam.PolicyStatement[] => [
      // Finding the app: its settings (table, control plane), or the build state machine's definition.
      new iam.PolicyStatement({ sid: 'ReadSettings', actions: ['ssm:GetParameter'], resources: [parameterArn(this, settingsParameterName(appPath))] }),
      new iam.PolicyStatement({ sid: 'ReadPipelines', actions: ['states:DescribeStateMachine', 'states:ListExecutions'], resources: stateMachineArns }),
      new iam.PolicyStatement({ sid: 'ReadAppExecutions', actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [...appExecutions, ...sharedExecutions] }),
      new iam.PolicyStatement({ sid: 'ReadBuilds', actions: ['codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject'], resources: [props.project.projectArn] }),
      // `slipway diff`: the running and the new task definitions (no resource-level permissions).
      new iam.PolicyStatement({ sid: 'ReadTaskDefinitions', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: 'FindFunctionLogs', actions: ['lambda:GetFunctionConfiguration'], resources: functionArns }),
      new iam.PolicyStatement({
        sid: 'ReadLogs',
        // (logs:StopQuery has no resource-level permissions: a grant on log groups would do nothing.)
        actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:GetLogRecord', 'logs:GetQueryResults', 'logs:StartQuery'],
        resources: [...props.logGroups.map((g) => g.logGroupArn), ...functionLogGroups],
      }),
      new iam.PolicyStatement({ sid: 'ListConfigKeys', actions: ['ssm:DescribeParameters'], resources: ['*'] }),
      // `slipway doctor`: whether the table and the schedule group carry the control plane's tags.
      new iam.PolicyStatement({ sid: 'CheckTags', actions: ['dynamodb:ListTagsOfResource'], resources: [props.table.tableArn] }),
      new iam.PolicyStatement({
        sid: 'CheckScheduleGroupTags',
        actions: ['scheduler:ListTagsForResource'],
        resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: scheduleGroupName(prefix, controlPlane, app.name) })],
      }),
    ];

    this.develop = new iam.ManagedPolicy(this, 'DevelopPolicy', {
      managedPolicyName: operatorPolicyName(prefix, app.name, 'develop'),
      description: `Slipway app ${app.name}: developer commands (read, redrive the app's executions, read its config)`,
      statements: [
        ...common(),
        new iam.PolicyStatement({ sid: 'RedriveAppExecutions', actions: ['states:RedriveExecution'], resources: appExecutions }),
        new iam.PolicyStatement({ sid: 'ReadConfig', actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], resources: appParameters }),
      ],
    });
    this.develop.addStatements(new iam.PolicyStatement({ sid: 'ReadRecords', actions: [...TABLE_READ_ACTIONS], resources: [props.table.tableArn] }));

    const inCluster = clusterCondition(props.clusterArn);
    const clusterTasks = clusterTasksArn(this);
    // `slipway logs --build N`: which image each task that logged ran (read-only, tasks of the app's cluster).
    this.develop.addStatements(new iam.PolicyStatement({ sid: 'DescribeClusterTasks', actions: ['ecs:DescribeTasks'], resources: [clusterTasks], conditions: inCluster }));
    this.operate = new iam.ManagedPolicy(this, 'OperatePolicy', {
      managedPolicyName: operatorPolicyName(prefix, app.name, 'operate'),
      description: `Slipway app ${app.name}: operator commands (deploy, rollback, redrive, config, schedules, run, scale)`,
      statements: [
        ...common(),
        // A build of the app's project is released and deployed: starting one is deploying (so develop may
        // not). Without a buildspec override (CodeBuild User Guide, "AWS CodeBuild condition keys",
        // "Prevent unauthorized modifications to project buildspec": the key supports only Null).
        new iam.PolicyStatement({ sid: 'StartBuilds', actions: ['codebuild:StartBuild'], resources: [props.project.projectArn] }),
        new iam.PolicyStatement({ sid: 'NoBuildspecOverride', effect: iam.Effect.DENY, actions: ['codebuild:StartBuild'], resources: [props.project.projectArn], conditions: { Null: { 'codebuild:source.buildspec': 'false' } } }),
        // The shared deploy state machine: IAM cannot look into the execution's input, see docs/control-plane.md.
        new iam.PolicyStatement({ sid: 'StartDeploys', actions: ['states:StartExecution'], resources: [states('stateMachine', stateMachineName(prefix, controlPlane, 'deploy'))] }),
        new iam.PolicyStatement({ sid: 'ManageAppExecutions', actions: ['states:RedriveExecution', 'states:StopExecution'], resources: appExecutions }),
        new iam.PolicyStatement({
          sid: 'ManageConfig',
          actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters'],
          resources: appParameters,
        }),
        // `slipway run`: a one-off task on any revision of the app's own families, in its cluster (lib/ops/run-task.ts).
        new iam.PolicyStatement({
          sid: 'RunOneOffTasks',
          actions: ['ecs:RunTask'],
          resources: Object.keys(app.processes).map((p) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinitionFamily(prefix, app.name, p)}:*` })),
          conditions: inCluster,
        }),
        new iam.PolicyStatement({ sid: 'FollowOneOffTasks', actions: ['ecs:DescribeTasks'], resources: [clusterTasks], conditions: inCluster }),
        // Ctrl-C in `slipway run` stops the task it started: only tasks of this app (the task definition's
        // slipway:app tag, propagated to the task) in its cluster. ECS StopTask takes ecs:cluster and
        // aws:ResourceTag conditions (Service Authorization Reference, Amazon ECS, StopTask).
        new iam.PolicyStatement({
          sid: 'StopOneOffTasks',
          actions: ['ecs:StopTask'],
          resources: [clusterTasks],
          conditions: { ...inCluster, StringEquals: { [`aws:ResourceTag/${TAG_APP}`]: app.name } },
        }),
        tagOnCreateStatement('TagOneOffTasks', [clusterTasks], 'RunTask'),
        passRolesToEcsTasksStatement('PassTaskRoles', props.taskRoles.map((r) => r.roleArn)),
      ],
    });
    // The app's records are the pipelines' to write (the deploy trusts a build's record): operators read
    // them, and write only the stored scales of `slipway scale` (pk SCALE), by the dynamodb:LeadingKeys
    // condition (DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained access control").
    this.operate.addStatements(
      new iam.PolicyStatement({ sid: 'ReadRecords', actions: [...TABLE_READ_ACTIONS], resources: [props.table.tableArn] }),
      new iam.PolicyStatement({
        sid: 'StoreScales',
        actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [SCALE_PK] } },
      }),
    );
    // `slipway ps` (both): the tasks of the app's services in its cluster (ListTasks has no resource-level
    // permissions, only the ecs:cluster condition); each revision's build tag comes from ReadTaskDefinitions.
    for (const policy of [this.operate, this.develop]) {
      policy.addStatements(
        new iam.PolicyStatement({ sid: 'ListClusterTasks', actions: ['ecs:ListTasks'], resources: ['*'], conditions: inCluster }),
      );
    }
    // `slipway shell`: ECS Exec into the app's own tasks (the slipway:app tag its services and task
    // definitions propagate to their tasks) in its cluster; ExecuteCommand names the cluster and the task
    // (Amazon ECS Developer Guide, "Using IAM policies to limit access to ECS Exec").
    this.operate.addStatements(
      new iam.PolicyStatement({ sid: 'ExecInCluster', actions: ['ecs:ExecuteCommand'], resources: [props.clusterArn], conditions: inCluster }),
      new iam.PolicyStatement({ sid: 'ExecIntoAppTasks', actions: ['ecs:ExecuteCommand'], resources: [clusterTasks], conditions: { ...inCluster, StringEquals: { [`aws:ResourceTag/${TAG_APP}`]: app.name } } }),
    );

    for (const grants of props.grantsOf ?? []) grants.grantCli(this.operate, this.develop);
    for (const policy of [this.operate, this.develop]) {
      acknowledgeWildcards(
        policy,
        `Limited to this app: executions of the shared state machines named ${appNamePrefix(app.name)}* (and, read-only, the executions EventBridge names, of every app of the control plane), parameters under ${configPath}/, log streams of its log groups, its alarms ${appAlarmName(prefix, app.name, '*')}; DescribeParameters, ecs:ListTasks, ecs:DescribeTaskDefinition and Application Auto Scaling support no resource-level permissions (ListTasks limited to the app's cluster by condition); task IDs are generated by ECS (cluster condition).`,
      );
    }
  }
}
