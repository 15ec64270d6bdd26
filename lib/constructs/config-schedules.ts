import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { appParameterPath, schedulesParameterName } from '../../functions/shared/app-parameters';
import { MILESTONE_SOURCE, scheduleGroupName, taskDefinitionFamily, type Milestone } from '../pipeline-contract';
import { acknowledgeWildcards, type Pipelines, type PipelinesProps } from './pipelines';

/** What {@link wireConfigAndSchedules} adds to an app's pipelines. */
export interface ConfigAndSchedules {
  /** `/<prefix>/apps/<app>`: the app's config keys (`/config/<KEY>`) and schedules list (`/schedules`) are below it. */
  readonly parameterPath: string;
  /** Parameter Store changes under {@link parameterPath} start the `config-change` state machine. */
  readonly parameterChangeRule: events.Rule;
  /** Slipway's "Deploy Succeeded" milestone events of the app start the `schedules` state machine. */
  readonly deploySucceededRule: events.Rule;
  /** The app's EventBridge Scheduler group (`<prefix>-<app>`): one schedule per entry of its list. */
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes to run the app's scheduled tasks. */
  readonly schedulerRole: iam.Role;
  /**
   * Every schedule's dead-letter queue (encrypted, SSL only): a scheduled task that Scheduler could not
   * start after its retries lands here, with the error in its message attributes. Alarmed by AppMonitoring.
   */
  readonly schedulesDeadLetterQueue: sqs.Queue;
}

/** The milestone event that re-syncs the schedules (contract of the deploy state machine's events). */
export const DEPLOY_SUCCEEDED = { source: MILESTONE_SOURCE, detailType: 'Deploy Succeeded' satisfies Milestone } as const;

/**
 * Wires an app's config-change and schedules state machines: the handlers' environment, the rules that
 * start them (the app's own Parameter Store path, its Deploy Succeeded events), its schedule group and
 * scheduler role, and every grant, each scoped to the app (a definition file gives CDK nothing to infer).
 */
export function wireConfigAndSchedules(p: Pipelines, props: PipelinesProps): ConfigAndSchedules {
  const stack = Stack.of(p);
  const debounce = props.configDebounceSeconds ?? 30;
  if (!Number.isInteger(debounce) || debounce < 0 || debounce > 3600) {
    throw new Error(`Pipelines configDebounceSeconds must be a whole number of seconds from 0 to 3600, got ${debounce}`);
  }
  const parameterPath = appParameterPath(props.prefix, props.appName);
  const group = scheduleGroupName(props.prefix, props.appName);
  const clusterCondition = { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } };
  const familyArns = props.processes.map((proc) =>
    stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinitionFamily(props.prefix, props.appName, proc)}:*` }),
  );
  const parameterArn = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
  const passTaskRoles = () =>
    new iam.PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: [props.executionRole.roleArn, props.taskRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });

  const scheduleGroup = new scheduler.CfnScheduleGroup(p, 'ScheduleGroup', { name: group });
  const scheduleArns = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${group}/*` });
  const scheduleGroupArn = stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: group });

  // The role the schedules run as: RunTask of the app's own families in its cluster, nothing else.
  // Scheduler assumes it with aws:SourceArn set to the schedule *group*'s ARN, not the schedule's
  // ("The ARN you specify must be a schedule group": docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html;
  // aws-cdk-lib's aws-scheduler-targets condition the same key on the group ARN).
  const schedulerRole = new iam.Role(p, 'SchedulerRole', {
    description: `Slipway ${group}: EventBridge Scheduler runs the app's scheduled tasks`,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': scheduleGroupArn } },
    }),
  });
  // Where Scheduler puts an invocation it gave up on. SQS-managed encryption: Scheduler sends with the
  // execution role and needs no KMS grant (a customer key would need kms:GenerateDataKey for the role).
  const schedulesDeadLetterQueue = new sqs.Queue(p, 'SchedulesDeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(schedulesDeadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the app\'s EventBridge Scheduler targets (Target.DeadLetterConfig, set by sync-schedules), alarmed when it holds a message.',
  });
  // Scheduler sends dead letters with the schedule's execution role (as aws-cdk-lib's targets grant it).
  schedulerRole.addToPolicy(new iam.PolicyStatement({ sid: 'SendDeadLetters', actions: ['sqs:SendMessage'], resources: [schedulesDeadLetterQueue.queueArn] }));
  schedulerRole.addToPolicy(new iam.PolicyStatement({ sid: 'RunScheduledTasks', actions: ['ecs:RunTask'], resources: familyArns, conditions: clusterCondition }));
  schedulerRole.addToPolicy(
    new iam.PolicyStatement({
      sid: 'TagScheduledTasks',
      actions: ['ecs:TagResource'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' })],
      // Tag-on-create is authorized with ecs:CreateAction (docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html);
      // RunTask itself is limited to the app's cluster above.
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    }),
  );
  schedulerRole.addToPolicy(passTaskRoles());
  acknowledgeWildcards(schedulerRole, 'Scheduled tasks run any revision of the app\'s own task-definition families (a new revision per build or config change) in the app\'s cluster (ecs:cluster condition); task IDs are generated by ECS and may be tagged only as RunTask creates them (ecs:CreateAction).');

  const f = p.functions;
  f.parseParameterChange.function.addEnvironment('PARAMETER_PATH', parameterPath).addEnvironment('DEBOUNCE_SECONDS', String(debounce));
  f.registerConfigRevisions.function.addEnvironment('PARAMETER_PATH', parameterPath);
  // The build pipeline's revisions carry the config keys too (they would lose them on the next build otherwise).
  f.registerTaskDefinitions.function.addEnvironment('PARAMETER_PATH', parameterPath);
  const buildConfigPolicy = new iam.Policy(f.registerTaskDefinitions.role, 'ConfigKeyNamesPolicy', {
    statements: [new iam.PolicyStatement({ sid: 'ListConfigKeyNames', actions: ['ssm:DescribeParameters'], resources: ['*'] })],
  });
  f.registerTaskDefinitions.role.attachInlinePolicy(buildConfigPolicy);
  acknowledgeWildcards(buildConfigPolicy, 'ssm:DescribeParameters supports no resource-level permissions; it returns parameter names and metadata, never values (the handler lists only the app\'s config path).');
  f.syncSchedules.function
    .addEnvironment('PARAMETER_PATH', parameterPath)
    .addEnvironment('SCHEDULE_GROUP', group)
    .addEnvironment('SCHEDULER_ROLE_ARN', schedulerRole.roleArn)
    .addEnvironment('SCHEDULES_DLQ_ARN', schedulesDeadLetterQueue.queueArn);

  // config-change: read the change, claim the redeploy, look for running deploys/releases, register, start deploy or schedules.
  const cc = p.stateMachineRoles['config-change'];
  cc.addToPolicy(
    new iam.PolicyStatement({
      sid: 'InvokeHandlers',
      actions: ['lambda:InvokeFunction'],
      resources: [f.parseParameterChange.function.functionArn, f.registerConfigRevisions.function.functionArn],
    }),
  );
  p.table.grant(cc, 'dynamodb:UpdateItem');
  cc.addToPolicy(new iam.PolicyStatement({ sid: 'FindRunningPipelines', actions: ['states:ListExecutions'], resources: [p.stateMachineArn('deploy'), p.stateMachineArn('release')] }));
  cc.addToPolicy(new iam.PolicyStatement({ sid: 'StartRedeployAndSync', actions: ['states:StartExecution'], resources: [p.stateMachineArn('deploy'), p.stateMachineArn('schedules')] }));

  // schedules: one handler does the validation and the changes.
  p.stateMachineRoles.schedules.addToPolicy(
    new iam.PolicyStatement({ sid: 'InvokeHandlers', actions: ['lambda:InvokeFunction'], resources: [f.syncSchedules.function.functionArn] }),
  );

  // register-config-revisions: parameter names (never values), the current release, new revisions.
  const register = f.registerConfigRevisions.role;
  const registerPolicy = new iam.Policy(register, 'ConfigRevisionsPolicy', {
    statements: [
      new iam.PolicyStatement({ sid: 'ListConfigKeyNames', actions: ['ssm:DescribeParameters'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: 'FindRevisions', actions: ['ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'RegisterTaggedRevisions',
        actions: ['ecs:RegisterTaskDefinition'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestTag/slipway:app': props.appName } },
      }),
      new iam.PolicyStatement({ sid: 'TagNewRevisions', actions: ['ecs:TagResource'], resources: familyArns, conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } } }),
    ],
  });
  register.attachInlinePolicy(registerPolicy);
  acknowledgeWildcards(
    registerPolicy,
    'ssm:DescribeParameters (names and metadata only, never values), ecs:ListTaskDefinitions, DescribeTaskDefinition and RegisterTaskDefinition support no resource-level permissions (RegisterTaskDefinition is limited to requests tagged slipway:app=<this app>); TagResource at registration covers any revision of the app\'s own families.',
  );
  register.addToPrincipalPolicy(passTaskRoles());
  p.table.grant(register, 'dynamodb:GetItem');

  // sync-schedules: the schedules parameter, the current release, the app's schedule group.
  const sync = f.syncSchedules.role;
  sync.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadSchedulesList', actions: ['ssm:GetParameter'], resources: [parameterArn(schedulesParameterName(parameterPath))] }));
  p.table.grant(sync, 'dynamodb:GetItem');
  const syncPolicy = new iam.Policy(sync, 'SchedulesPolicy', {
    statements: [
      new iam.PolicyStatement({
        sid: 'ManageAppSchedules',
        actions: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [scheduleArns],
      }),
      new iam.PolicyStatement({ sid: 'ListSchedules', actions: ['scheduler:ListSchedules'], resources: ['*'] }),
    ],
  });
  sync.attachInlinePolicy(syncPolicy);
  acknowledgeWildcards(syncPolicy, `Schedules get their names from the app's list: limited to the app's own group (${group}/*); scheduler:ListSchedules supports no resource-level permissions (the handler lists only its group).`);
  sync.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PassSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );

  const parameterChangeRule = new events.Rule(p, 'ParameterChangeRule', {
    description: `Starts ${props.prefix}-${props.appName}-config-change on Parameter Store changes under ${parameterPath}/`,
    eventPattern: { source: ['aws.ssm'], detailType: ['Parameter Store Change'], detail: { name: events.Match.prefix(`${parameterPath}/`) } },
    targets: [new targets.SfnStateMachine(p.stateMachines['config-change'])],
  });
  const deploySucceededRule = new events.Rule(p, 'DeploySucceededRule', {
    description: `Syncs ${props.appName}'s schedules to its current release after every successful deploy`,
    eventPattern: { source: [DEPLOY_SUCCEEDED.source], detailType: [DEPLOY_SUCCEEDED.detailType], detail: { app: [props.appName] } },
    targets: [new targets.SfnStateMachine(p.stateMachines.schedules)],
  });
  return { parameterPath, parameterChangeRule, deploySucceededRule, scheduleGroup, schedulerRole, schedulesDeadLetterQueue };
}
