import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ALERT_SHARDS, alertsTopicName, dashboardName, FAILURE_MILESTONES, MILESTONE_SOURCE, PIPELINE_FUNCTIONS, STATE_MACHINES, type PipelineFunctionKey } from '../../domain';
import { AlarmTopic } from './alarm-topic';
import type { ControlPlane } from './control-plane';

/** The milestone events (source `slipway`) a person is told about: a pipeline failed or was rolled back. */
export const PIPELINE_FAILURE_EVENTS = FAILURE_MILESTONES;
/** CodeBuild statuses of a "Build Recorded" event that mean the build itself failed. */
export const FAILED_BUILD_STATUSES = ['FAILED', 'FAULT', 'TIMED_OUT'] as const;

export interface ClusterMonitoringProps {
  /** Slipway's resource-name prefix. */
  readonly prefix: string;
  /** The cluster's control plane, whose state machines, functions and milestones are watched. */
  readonly controlPlane: ControlPlane;
  /** The account's alerts key (one per account). @default - a key of the topic's own */
  readonly masterKey?: kms.IKey;
}

/**
 * The on-call view of a cluster, shared by all its apps (issue 16: fixed costs that do not grow with the
 * number of apps): encrypted SNS topics (the account's one alerts key) that receive the pipeline failures of
 * every app through two shared EventBridge rules (no rule per app): the platform's `<prefix>-<cluster>-alerts`
 * (also the control plane's alarms) and four app shards `<prefix>-<cluster>-alerts-<n>`, each app's alarms
 * going to its shard, where the app subscribes its own e-mail addresses with a filter on the message body
 * (its `detail.app`, its alarm names: {@link ../constructs/app-monitoring AppMonitoring}); an alarm per
 * state machine and on the schedules' dead-letter queue; ONE dashboard for the cluster.
 */
export class ClusterMonitoring extends Construct {
  /** The platform's topic: the control plane's alarms and every app's pipeline failures, unfiltered. */
  public readonly alertsTopic: AlarmTopic;
  /** The apps' topics, by shard (1..4): each app's alarms go to its shard, every pipeline failure to all four. */
  public readonly appAlertsTopics: AlarmTopic[];
  /** The shared rules that send pipeline failures and failed builds to the topic. */
  public readonly failureRules: events.Rule[];
  /** The control plane's alarms, by key (`deploy-failed`, `schedule-dead-letters`, ...). */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};
  public readonly dashboard: cloudwatch.Dashboard;

  private readonly props: ClusterMonitoringProps;

  constructor(scope: Construct, id: string, props: ClusterMonitoringProps) {
    super(scope, id);
    this.props = props;
    const cp = props.controlPlane;
    this.alertsTopic = new AlarmTopic(this, 'Alerts', { topicName: alertsTopicName(props.prefix, cp.name), displayName: `Slipway ${cp.name}`, masterKey: props.masterKey });
    this.appAlertsTopics = Array.from({ length: ALERT_SHARDS }, (_, i) =>
      new AlarmTopic(this, `AppAlerts${i + 1}`, { topicName: alertsTopicName(props.prefix, cp.name, i + 1), displayName: `Slipway ${cp.name}`, masterKey: props.masterKey }),
    );
    this.failureRules = this.failureEventRules();
    const pipelines = STATE_MACHINES.map((pipeline) => this.pipelineAlarm(pipeline));
    this.alarm('schedule-dead-letters', {
      alarmDescription: `A scheduled task invocation of an app of ${cp.name} is in the dead-letter queue: Scheduler gave up on it after its retries (the message's attributes hold the error and the schedule).`,
      metric: cp.schedulesDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    this.alertsTopic.notify(...Object.values(this.alarms));
    this.dashboard = this.buildDashboard(pipelines);
  }

  private alarm(key: string, props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'treatMissingData'>): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${key.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}Alarm`, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmName: `${this.props.prefix}-${this.props.controlPlane.name}-${key}`,
      ...props,
    });
    this.alarms[key] = alarm;
    return alarm;
  }

  private pipelineAlarm(pipeline: (typeof STATE_MACHINES)[number]) {
    const sm = this.props.controlPlane.stateMachines[pipeline];
    const period = Duration.minutes(5);
    const failed = sm.metricFailed({ period, statistic: cloudwatch.Stats.SUM, label: `${pipeline} failed` });
    const timedOut = sm.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM, label: `${pipeline} timed out` });
    const succeeded = sm.metricSucceeded({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM, label: `${pipeline} succeeded` });
    this.alarm(`${pipeline}-failed`, {
      alarmDescription: `A ${pipeline} execution of an app of ${this.props.controlPlane.name} failed or timed out (the app's own subscribers get the failure event, with the app's name). \`slipway status <app>\` shows where and why.`,
      metric: new cloudwatch.MathExpression({ expression: 'FILL(failed, 0) + FILL(timedOut, 0)', usingMetrics: { failed, timedOut }, period, label: `${pipeline} failed or timed out` }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    return { pipeline, failed, timedOut, succeeded };
  }

  /**
   * Two rules for every app of the control plane: pipeline failures and failed builds, matched on the
   * milestone's `execution` (an execution of this control plane's state machines), delivered as JSON whose
   * `detail.app` the apps' subscriptions filter on (SNS payload-based filtering, FilterPolicyScope MessageBody).
   */
  private failureEventRules(): events.Rule[] {
    const cp = this.props.controlPlane;
    const field = (p: string) => events.EventField.fromPath(p);
    const ownExecutions = { execution: events.Match.prefix(cp.executionArnPrefix()) };
    const body = (summary: string) =>
      events.RuleTargetInput.fromObject({
        summary,
        'detail-type': field('$.detail-type'),
        detail: { app: field('$.detail.app'), buildKey: field('$.detail.buildKey'), execution: field('$.detail.execution') },
      });
    const failure = body(
      `Slipway ${field('$.detail.app')}: ${field('$.detail-type')} (build ${field('$.detail.buildKey')}). ${field('$.detail.error')}: ${field('$.detail.cause')} Execution: ${field('$.detail.execution')}`,
    );
    const failedBuild = body(`Slipway ${field('$.detail.app')}: build ${field('$.detail.buildKey')} ended ${field('$.detail.status')} (commit ${field('$.detail.commit')}). Nothing was released.`);
    // Five targets (EventBridge's maximum per rule): the platform's topic and the four app shards.
    const target = (input: events.RuleTargetInput) => [this.alertsTopic, ...this.appAlertsTopics].map((t) => new targets.SnsTopic(t.topic, { message: input }));
    return [
      new events.Rule(this, 'PipelineFailuresRule', {
        ruleName: `${this.props.prefix}-${cp.name}-pipeline-failures`,
        description: `Slipway ${cp.name}: every app's build, release and deploy failures and rollbacks to the cluster's alerts topic`,
        eventPattern: { source: [MILESTONE_SOURCE], detailType: [...PIPELINE_FAILURE_EVENTS], detail: ownExecutions },
        targets: target(failure),
      }),
      new events.Rule(this, 'FailedBuildsRule', {
        ruleName: `${this.props.prefix}-${cp.name}-failed-builds`,
        description: `Slipway ${cp.name}: every app's failed CodeBuild builds to the cluster's alerts topic`,
        eventPattern: { source: [MILESTONE_SOURCE], detailType: ['Build Recorded'], detail: { ...ownExecutions, status: [...FAILED_BUILD_STATUSES] } },
        targets: target(failedBuild),
      }),
    ];
  }

  private buildDashboard(pipelines: ReturnType<ClusterMonitoring['pipelineAlarm']>[]): cloudwatch.Dashboard {
    const { prefix, controlPlane: cp } = this.props;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: dashboardName(prefix, cp.name), defaultInterval: Duration.hours(6) });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Slipway cluster ${cp.name}\nThe control plane every app of the cluster runs through. The control plane's alarms and every pipeline failure go to SNS topic \`${alertsTopicName(prefix, cp.name)}\`; each app's alarms to its shard \`${alertsTopicName(prefix, cp.name)}-<1..${ALERT_SHARDS}>\`, whose subscriptions filter by app. Per-app dashboards are opt-in (\`monitoring.dashboard\`).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Control plane alarms', alarms: Object.values(this.alarms), width: 24, height: 3 }));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Pipeline outcomes, every app (executions in the time range)',
        left: pipelines.flatMap((p) => [p.succeeded, p.failed.with({ period: Duration.hours(1) }), p.timedOut.with({ period: Duration.hours(1) })]),
        view: cloudwatch.GraphWidgetView.BAR,
        setPeriodToTimeRange: true,
        width: 12,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Handler errors',
        left: (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((k) =>
          cp.functions[k].function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM, label: PIPELINE_FUNCTIONS[k] }),
        ),
        width: 12,
        height: 6,
      }),
    );
    return dashboard;
  }
}
