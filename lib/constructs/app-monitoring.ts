import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppConfig } from '../config';
import { FAILURE_MILESTONES, MILESTONE_SOURCE, serviceName } from '../pipeline-contract';
import { AlarmTopic } from './alarm-topic';
import { acknowledgeWildcards } from './pipelines';

/** The milestone events (source `slipway`) a person is told about: a pipeline failed or was rolled back. */
export const PIPELINE_FAILURE_EVENTS = FAILURE_MILESTONES;
/** CodeBuild statuses of a "Build Recorded" event that mean the build itself failed. */
export const FAILED_BUILD_STATUSES = ['FAILED', 'FAULT', 'TIMED_OUT'] as const;

export interface AppMonitoringProps {
  /** Slipway's resource-name prefix. */
  readonly prefix: string;
  /** The app's validated config (processes, `monitoring`, `production`). */
  readonly app: AppConfig;
  /** Name of the ECS cluster the app's services run in. */
  readonly clusterName: string;
  /** The web process's target group (attached to the cluster's load balancer); absent: no web alarms. */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The app's state machines by pipeline name (build, release, deploy, ...): one alarm each. */
  readonly stateMachines: Readonly<Record<string, sfn.IStateMachine>>;
  /**
   * The app's scheduled tasks: its EventBridge Scheduler group (alarm on `TargetErrorCount`) and the
   * targets' dead-letter queue (alarm on a message in it). Absent: no schedule alarms.
   */
  readonly schedules?: { readonly groupName: string; readonly deadLetterQueue: sqs.IQueue };
}

/**
 * An app's on-call view: one encrypted SNS topic (e-mails from `monitoring.emails`) that receives every
 * alarm's ALARM and OK transitions and the pipeline failure events; alarms on the load balancer (5xx
 * rate, response time, unhealthy hosts), on each process type's service (CPU, memory, running tasks
 * below desired) and on each state machine (failed or timed-out executions); and a dashboard of the
 * same metrics with the recent pipeline outcomes. The ECS services are created by the deploy pipeline,
 * so their metrics are addressed by the names it gives them ({@link serviceName}).
 */
export class AppMonitoring extends Construct {
  public readonly alarmTopic: AlarmTopic;
  /** Every alarm, by a short key such as `web-cpu`, `http-5xx-rate`, `deploy-failed`. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};
  public readonly dashboard: cloudwatch.Dashboard;
  /** The EventBridge rules that send pipeline failures to the topic. */
  public readonly failureRules: events.Rule[];

  private readonly props: AppMonitoringProps;

  constructor(scope: Construct, id: string, props: AppMonitoringProps) {
    super(scope, id);
    this.props = props;
    const { prefix, app } = props;
    this.alarmTopic = new AlarmTopic(this, 'Alarms', {
      topicName: `${prefix}-${app.name}-alarms`,
      displayName: `Slipway ${app.name}`,
      emails: app.monitoring.emails,
    });

    const web = props.targetGroup ? this.webAlarms(props.targetGroup) : undefined;
    const processes = Object.keys(app.processes).map((process) => this.processAlarms(process));
    const pipelines = Object.entries(props.stateMachines).map(([pipeline, sm]) => this.pipelineAlarm(pipeline, sm));
    if (props.schedules) this.scheduleAlarms(props.schedules.groupName, props.schedules.deadLetterQueue);
    this.alarmTopic.notify(...Object.values(this.alarms));
    this.failureRules = this.failureEventRules();
    this.dashboard = this.buildDashboard(web, processes, pipelines);
  }

  /**
   * `slipway alarms` for both roles (DescribeAlarms on the app's alarms); `slipway scale` for the
   * management role (Application Auto Scaling supports no resource-level permissions on describe, and
   * scalable targets have generated IDs).
   */
  grantCli(managementRole: iam.IRole, userRole: iam.IRole): void {
    const stack = Stack.of(this);
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${this.props.prefix}-${this.props.app.name}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const read = new iam.Policy(this, 'ReadAlarmsPolicy', {
      statements: [new iam.PolicyStatement({ sid: 'ReadAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: [alarms] })],
      roles: [managementRole, userRole],
    });
    acknowledgeWildcards(read, `The app's alarms are all named ${this.props.prefix}-${this.props.app.name}-<what>; DescribeAlarms is read-only.`);
    const scale = new iam.Policy(this, 'ScaleProcessesPolicy', {
      statements: [
        new iam.PolicyStatement({ sid: 'ScaleProcesses', actions: ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:RegisterScalableTarget'], resources: ['*'] }),
      ],
      roles: [managementRole],
    });
    acknowledgeWildcards(scale, 'Application Auto Scaling scalable targets get generated IDs, and DescribeScalableTargets supports no resource-level permissions (slipway scale).');
    // Application Auto Scaling checks that the caller of RegisterScalableTarget may describe and update
    // the ECS service it scales (docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html): the app's own services only.
    managementRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ScaleServices',
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: Object.keys(this.props.app.processes).map((p) => stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.props.clusterName}/${serviceName(this.props.app.name, p)}` })),
      }),
    );
  }

  private alarm(key: string, props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'treatMissingData'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${key.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}Alarm`, {
      // No data (a service scaled to zero, no traffic) is not an incident.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmName: `${this.props.prefix}-${this.props.app.name}-${key}`,
      ...props,
    });
    this.alarms[key] = alarm;
    return alarm;
  }

  private webAlarms(tg: elbv2.ApplicationTargetGroup) {
    const m = this.props.app.monitoring;
    const period = Duration.seconds(m.periodSeconds);
    const requests = tg.metrics.requestCount({ period, statistic: cloudwatch.Stats.SUM });
    const target4xx = tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { period, statistic: cloudwatch.Stats.SUM });
    const target5xx = tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: cloudwatch.Stats.SUM });
    // Two rates share one graph: their inputs need distinct ids.
    const rate = (id: string, metric: cloudwatch.IMetric, label: string) =>
      new cloudwatch.MathExpression({ expression: `IF(requests > 0, 100 * ${id} / requests, 0)`, usingMetrics: { [id]: metric, requests }, period, label });
    const rate4xx = rate('target4xx', target4xx, '4xx rate (%)');
    const rate5xx = rate('target5xx', target5xx, '5xx rate (%)');
    const responseTime = tg.metrics.targetResponseTime({ period, statistic: cloudwatch.Stats.AVERAGE });
    const healthy = tg.metrics.healthyHostCount({ period, statistic: cloudwatch.Stats.MINIMUM });
    const unhealthy = tg.metrics.unhealthyHostCount({ period, statistic: cloudwatch.Stats.MAXIMUM });
    const evaluationPeriods = m.evaluationPeriods;
    this.alarm('http-5xx-rate', {
      alarmDescription: `More than ${m.http5xxRatePercent}% of the web process's responses are 5xx (${evaluationPeriods} × ${m.periodSeconds} s). Check the app's logs and the last deploy.`,
      metric: rate5xx,
      threshold: m.http5xxRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
    });
    this.alarm('response-time', {
      alarmDescription: `The web process's average response time is above ${m.targetResponseTimeSeconds} s (${evaluationPeriods} × ${m.periodSeconds} s).`,
      metric: responseTime,
      threshold: m.targetResponseTimeSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
    });
    this.alarm('unhealthy-hosts', {
      alarmDescription: `The load balancer sees an unhealthy web task (${evaluationPeriods} × ${m.periodSeconds} s). Check the health-check path and the tasks' logs.`,
      metric: unhealthy,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
    });
    return { requests, target4xx, target5xx, rate4xx, rate5xx, responseTime, healthy, unhealthy };
  }

  private processAlarms(process: string) {
    const m = this.props.app.monitoring;
    const period = Duration.seconds(m.periodSeconds);
    const dimensionsMap = { ClusterName: this.props.clusterName, ServiceName: serviceName(this.props.app.name, process) };
    const ecsMetric = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName, dimensionsMap, period, statistic: cloudwatch.Stats.AVERAGE, label: process });
    // Container Insights (enabled on Slipway clusters) publishes the task counts.
    const insights = (metricName: string, p: Duration) =>
      new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName, dimensionsMap, period: p, statistic: cloudwatch.Stats.AVERAGE, label: `${process} ${metricName}` });
    const cpu = ecsMetric('CPUUtilization');
    const memory = ecsMetric('MemoryUtilization');
    const minute = Duration.minutes(1);
    const running = insights('RunningTaskCount', minute);
    const desired = insights('DesiredTaskCount', minute);
    this.alarm(`${process}-cpu`, {
      alarmDescription: `The ${process} process's average CPU is above ${m.cpuPercent}% (${m.evaluationPeriods} × ${m.periodSeconds} s): autoscaling is at its max, or the process has none.`,
      metric: cpu,
      threshold: m.cpuPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: m.evaluationPeriods,
    });
    this.alarm(`${process}-memory`, {
      alarmDescription: `The ${process} process's average memory is above ${m.memoryPercent}% (${m.evaluationPeriods} × ${m.periodSeconds} s): tasks may be killed for running out of memory.`,
      metric: memory,
      threshold: m.memoryPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: m.evaluationPeriods,
    });
    this.alarm(`${process}-tasks-below-desired`, {
      alarmDescription: `Fewer ${process} tasks are running than desired for ${m.tasksBelowDesiredMinutes} minutes: tasks fail to start or keep stopping (see the service's events).`,
      metric: new cloudwatch.MathExpression({ expression: 'desired - running', usingMetrics: { desired, running }, period: minute, label: `${process} tasks missing` }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: m.tasksBelowDesiredMinutes,
    });
    return { process, cpu, memory, running, desired };
  }

  /**
   * A scheduled task that did not start: Scheduler's `TargetErrorCount` of the app's group (the target
   * call failed: RunTask refused, access denied) and a message in the targets' dead-letter queue (an
   * invocation Scheduler gave up on after its retries).
   */
  private scheduleAlarms(groupName: string, queue: sqs.IQueue): void {
    const period = Duration.minutes(5);
    this.alarm('schedule-target-errors', {
      alarmDescription: `A scheduled task of schedule group ${groupName} failed to start (EventBridge Scheduler TargetErrorCount). The dead-letter queue's messages say why.`,
      // AWS/Scheduler publishes per-group metrics with the ScheduleGroup dimension (as aws-cdk-lib's ScheduleGroup.metric does).
      metric: new cloudwatch.Metric({ namespace: 'AWS/Scheduler', metricName: 'TargetErrorCount', dimensionsMap: { ScheduleGroup: groupName }, period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.alarm('schedule-dead-letters', {
      alarmDescription: `A scheduled task invocation of ${groupName} is in the dead-letter queue: Scheduler gave up on it after its retries (the message's attributes hold the error).`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
  }

  private pipelineAlarm(pipeline: string, sm: sfn.IStateMachine) {
    const period = Duration.minutes(5);
    const failed = sm.metricFailed({ period, statistic: cloudwatch.Stats.SUM, label: `${pipeline} failed` });
    const timedOut = sm.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM, label: `${pipeline} timed out` });
    const succeeded = sm.metricSucceeded({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM, label: `${pipeline} succeeded` });
    this.alarm(`${pipeline}-failed`, {
      alarmDescription: `A ${pipeline} execution failed or timed out. \`slipway status\` shows where and why; redrive it after fixing the cause.`,
      metric: new cloudwatch.MathExpression({ expression: 'FILL(failed, 0) + FILL(timedOut, 0)', usingMetrics: { failed, timedOut }, period, label: `${pipeline} failed or timed out` }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    return { pipeline, failed, timedOut, succeeded };
  }

  /** EventBridge rules: the app's pipeline failure events and failed builds go to the topic, as readable text. */
  private failureEventRules(): events.Rule[] {
    const { app, prefix } = this.props;
    const message = events.RuleTargetInput.fromText(
      `Slipway ${app.name}: ${events.EventField.fromPath('$.detail-type')} (build ${events.EventField.fromPath('$.detail.buildKey')}). ` +
        `${events.EventField.fromPath('$.detail.error')}: ${events.EventField.fromPath('$.detail.cause')} ` +
        `Execution: ${events.EventField.fromPath('$.detail.execution')}`,
    );
    const buildMessage = events.RuleTargetInput.fromText(
      `Slipway ${app.name}: build ${events.EventField.fromPath('$.detail.buildKey')} ended ${events.EventField.fromPath('$.detail.status')} ` +
        `(commit ${events.EventField.fromPath('$.detail.commit')}). Nothing was released.`,
    );
    const target = (input: events.RuleTargetInput) => new targets.SnsTopic(this.alarmTopic.topic, { message: input });
    return [
      new events.Rule(this, 'PipelineFailuresRule', {
        ruleName: `${prefix}-${app.name}-pipeline-failures`,
        description: `Slipway ${app.name}: build, release and deploy pipeline failures and rollbacks to the app's alarm topic`,
        eventPattern: { source: [MILESTONE_SOURCE], detailType: [...PIPELINE_FAILURE_EVENTS], detail: { app: [app.name] } },
        targets: [target(message)],
      }),
      new events.Rule(this, 'FailedBuildsRule', {
        ruleName: `${prefix}-${app.name}-failed-builds`,
        description: `Slipway ${app.name}: failed CodeBuild builds to the app's alarm topic`,
        eventPattern: { source: [MILESTONE_SOURCE], detailType: ['Build Recorded'], detail: { app: [app.name], status: [...FAILED_BUILD_STATUSES] } },
        targets: [target(buildMessage)],
      }),
    ];
  }

  private buildDashboard(
    web: ReturnType<AppMonitoring['webAlarms']> | undefined,
    processes: ReturnType<AppMonitoring['processAlarms']>[],
    pipelines: ReturnType<AppMonitoring['pipelineAlarm']>[],
  ): cloudwatch.Dashboard {
    const { prefix, app } = this.props;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `${prefix}-${app.name}`, defaultInterval: Duration.hours(6) });
    const width = 8;
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Slipway app ${app.name}\nProcesses: ${Object.keys(app.processes).join(', ')}. Alarms go to SNS topic \`${prefix}-${app.name}-alarms\`. \`slipway alarms ${app.name}\` lists their state.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }));
    if (web) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Requests', left: [web.requests], width, height: 6 }),
        new cloudwatch.GraphWidget({ title: '4xx / 5xx rate (%)', left: [web.rate4xx, web.rate5xx], leftYAxis: { min: 0, max: 100 }, width, height: 6 }),
        new cloudwatch.GraphWidget({ title: 'Target response time (s)', left: [web.responseTime], width, height: 6 }),
        new cloudwatch.GraphWidget({ title: 'Healthy / unhealthy hosts', left: [web.healthy, web.unhealthy], width, height: 6 }),
      );
    }
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'CPU per process type (%)', left: processes.map((p) => p.cpu), leftYAxis: { min: 0, max: 100 }, width, height: 6 }),
      new cloudwatch.GraphWidget({ title: 'Memory per process type (%)', left: processes.map((p) => p.memory), leftYAxis: { min: 0, max: 100 }, width, height: 6 }),
      new cloudwatch.GraphWidget({ title: 'Running / desired tasks', left: processes.flatMap((p) => [p.running, p.desired]), leftYAxis: { min: 0 }, width, height: 6 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Pipeline outcomes (executions in the time range)',
        left: pipelines.flatMap((p) => [p.succeeded, p.failed.with({ period: Duration.hours(1) }), p.timedOut.with({ period: Duration.hours(1) })]),
        view: cloudwatch.GraphWidgetView.BAR,
        setPeriodToTimeRange: true,
        width: 24,
        height: 6,
      }),
    );
    return dashboard;
  }
}
