import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmsEnabled, type AppConfig } from '../deployment-config';
import { appAlarmName, appAlarmNamePattern, dashboardName, serviceName } from '../../domain';

/** SNS counts each value of a filter policy as one combination, and allows at most 150 (SNS Developer Guide, "Amazon SNS message filtering" quotas). */
export const FILTER_POLICY_MAX_COMBINATIONS = 150;

/**
 * The filter policy (scope: the message body) of an app's subscriptions to its cluster's alerts topic:
 * the app's pipeline failures (the shared failure rules put the app in `detail.app`) or one of the app's
 * alarms (CloudWatch's notification JSON has the alarm's name in `AlarmName`; exact names, because a prefix
 * `<prefix>-<app>-` would also match the alarms of an app called `<app>-<more>`). `$or` and payload-based
 * filtering: SNS Developer Guide, "Message filtering scope" (FilterPolicyScope MessageBody) and "OR logic".
 */
export function appFilterPolicy(app: string, alarmNames: readonly string[]): Record<string, unknown> {
  const failures = { detail: { app: [app] } };
  const policy = alarmNames.length === 0 ? failures : { $or: [failures, { AlarmName: [...alarmNames] }] };
  const combinations = 1 + alarmNames.length;
  if (combinations > FILTER_POLICY_MAX_COMBINATIONS) {
    throw new Error(`app "${app}": its alerts subscription filter would have ${combinations} combinations (${alarmNames.length} alarms), SNS allows ${FILTER_POLICY_MAX_COMBINATIONS}: fewer process types, or turn alarms off (monitoring.alarms)`);
  }
  return policy;
}

export interface AppMonitoringProps {
  /** Slipway's resource-name prefix. */
  readonly prefix: string;
  /** The app's validated config (processes, `monitoring`, `production`). */
  readonly app: AppConfig;
  /** Name of the ECS cluster the app's services run in. */
  readonly clusterName: string;
  /** The cluster's alerts topic (shared by its apps): the alarms notify it, the app's e-mails subscribe to it with a filter. */
  readonly alertsTopic: sns.ITopic;
  /** The web process's target group (attached to the cluster's load balancer); absent: no web alarms. */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The app's EventBridge Scheduler group (alarm on its `TargetErrorCount`). Absent: no schedule alarm. */
  readonly scheduleGroupName?: string;
}

/**
 * An app's on-call view, on its cluster's shared alerts topic (no topic, key or rule of its own): the
 * app's e-mails (`monitoring.emails`) subscribe to that topic with a filter on the message body that lets
 * through only the app's pipeline failures and the app's alarms; alarms on the load balancer (5xx rate,
 * response time, unhealthy hosts), on each process type's service (CPU, memory, running tasks below
 * desired) and on the app's schedules, created for production apps and, opt-in (`monitoring.alarms`), for
 * others; a dashboard only with `monitoring.dashboard` (the cluster has one). The ECS services are created
 * by the deploy pipeline, so their metrics are addressed by the names it gives them ({@link serviceName}).
 */
export class AppMonitoring extends Construct {
  /** Every alarm, by a short key such as `web-cpu`, `http-5xx-rate` (none when alarms are off). */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};
  /** The app's dashboard, when `monitoring.dashboard` is set. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The app's subscriptions to the alerts topic, one per e-mail address. */
  public readonly subscriptions: sns.CfnSubscription[];

  private readonly props: AppMonitoringProps;

  constructor(scope: Construct, id: string, props: AppMonitoringProps) {
    super(scope, id);
    this.props = props;
    const { app } = props;
    const alarms = alarmsEnabled(app);
    const web = props.targetGroup ? this.webAlarms(props.targetGroup, alarms) : undefined;
    const processes = Object.keys(app.processes).map((process) => this.processAlarms(process, alarms));
    if (props.scheduleGroupName && alarms) this.scheduleAlarm(props.scheduleGroupName);
    const action = new cwActions.SnsAction(props.alertsTopic);
    for (const alarm of Object.values(this.alarms)) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    const filterPolicy = appFilterPolicy(app.name, Object.keys(this.alarms).map((k) => this.alarmName(k)));
    this.subscriptions = app.monitoring.emails.map(
      (email, i) =>
        new sns.CfnSubscription(this, `AlertsSubscription${i}`, {
          topicArn: props.alertsTopic.topicArn,
          protocol: 'email',
          endpoint: email,
          filterPolicyScope: 'MessageBody',
          filterPolicy,
        }),
    );
    if (app.monitoring.dashboard) this.dashboard = this.buildDashboard(web, processes);
  }

  /**
   * `slipway alarms` for both policies (DescribeAlarms on the app's alarms); `slipway scale` for the
   * operate policy (Application Auto Scaling supports no resource-level permissions on describe, and
   * scalable targets have generated IDs).
   */
  grantCli(operate: iam.ManagedPolicy, develop: iam.ManagedPolicy): void {
    const stack = Stack.of(this);
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: appAlarmNamePattern(this.props.prefix, this.props.app.name), arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    for (const policy of [operate, develop]) policy.addStatements(new iam.PolicyStatement({ sid: 'ReadAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: [alarms] }));
    // `slipway ps` for developers: the app's own services (operators have them in ScaleServices).
    develop.addStatements(new iam.PolicyStatement({ sid: 'DescribeServices', actions: ['ecs:DescribeServices'], resources: this.serviceArns() }));
    operate.addStatements(
      new iam.PolicyStatement({ sid: 'ScaleProcesses', actions: ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:RegisterScalableTarget'], resources: ['*'] }),
      // Application Auto Scaling checks that the caller of RegisterScalableTarget may describe and update
      // the ECS service it scales (docs.aws.amazon.com/AmazonECS/latest/developerguide/auto-scaling-IAM.html): the app's own services only.
      new iam.PolicyStatement({
        sid: 'ScaleServices',
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: this.serviceArns(),
      }),
    );
  }

  /** The app's ECS services, `service/<cluster>/<app>-<process>`. */
  private serviceArns(): string[] {
    const stack = Stack.of(this);
    return Object.keys(this.props.app.processes).map((p) => stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.props.clusterName}/${serviceName(this.props.app.name, p)}` }));
  }

  private alarmName(key: string): string {
    return appAlarmName(this.props.prefix, this.props.app.name, key);
  }

  private alarm(key: string, props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'treatMissingData'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${key.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}Alarm`, {
      // No data (a service scaled to zero, no traffic) is not an incident.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmName: this.alarmName(key),
      ...props,
    });
    this.alarms[key] = alarm;
    return alarm;
  }

  /** The web metrics (for the dashboard), and their alarms when `alarms` is on. */
  private webAlarms(tg: elbv2.ApplicationTargetGroup, alarms: boolean) {
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
    const metrics = { requests, target4xx, target5xx, rate4xx, rate5xx, responseTime, healthy, unhealthy };
    if (!alarms) return metrics;
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
    return metrics;
  }

  /** A process type's metrics (for the dashboard), and its alarms when `alarms` is on. */
  private processAlarms(process: string, alarms: boolean) {
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
    if (!alarms) return { process, cpu, memory, running, desired };
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
   * call failed: RunTask refused, access denied). The shared dead-letter queue is the cluster's alarm.
   */
  private scheduleAlarm(groupName: string): void {
    this.alarm('schedule-target-errors', {
      alarmDescription: `A scheduled task of schedule group ${groupName} failed to start (EventBridge Scheduler TargetErrorCount). The cluster's schedules dead-letter queue says why.`,
      // AWS/Scheduler publishes per-group metrics with the ScheduleGroup dimension (as aws-cdk-lib's ScheduleGroup.metric does).
      metric: new cloudwatch.Metric({ namespace: 'AWS/Scheduler', metricName: 'TargetErrorCount', dimensionsMap: { ScheduleGroup: groupName }, period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
  }

  private buildDashboard(web: ReturnType<AppMonitoring['webAlarms']> | undefined, processes: ReturnType<AppMonitoring['processAlarms']>[]): cloudwatch.Dashboard {
    const { prefix, app } = this.props;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: dashboardName(prefix, app.name), defaultInterval: Duration.hours(6) });
    const width = 8;
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Slipway app ${app.name}\nProcesses: ${Object.keys(app.processes).join(', ')}. Alarms go to the cluster's alerts topic (the app's subscribers get the app's own). \`slipway alarms ${app.name}\` lists their state.`,
        width: 24,
        height: 2,
      }),
    );
    if (Object.keys(this.alarms).length > 0) dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }));
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
    return dashboard;
  }
}
