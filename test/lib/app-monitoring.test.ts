import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadDeploymentConfig, parseDeploymentConfig, type AppConfig, type DeploymentConfig } from '../../lib/deployment-config';
import { exampleNagFindings, synthesizeApp, synthesizeApps } from '../helpers/example-stacks';
import { appFilterPolicy, FILTER_POLICY_MAX_COMBINATIONS } from '../../lib/constructs/app-monitoring';
import { ALERT_SHARDS, alertsShard, alertsTopicName, appAlarmKeys, appAlarmName } from '../../domain';

const config: DeploymentConfig = loadDeploymentConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
const exampleApp = config.apps.find((a) => a.name === 'example')!;

/** The example app with overrides, validated as the config would be. */
function appWith(overrides: Record<string, unknown>): AppConfig {
  const raw = { clusters: [{ name: 'production', domain: { name: 'apps.example.com', hostedZoneId: 'Z0123456789EXAMPLE' } }], apps: [{ name: 'example', cluster: 'production', repository: { owner: 'o', name: 'r' }, processes: { web: { port: 3000, autoscaling: { min: 2, max: 6 } }, worker: {} }, ...overrides }] };
  return parseDeploymentConfig(raw).apps[0];
}

/** The process types of the variants that check which alarms each gets. */
const PROCESS_SETS = { webAndWorker: { web: { port: 3000 }, worker: {} }, workerOnly: { worker: {} }, webOnly: { web: { port: 3000 } } };

/** The variants of the example app the tests read, by name. */
const VARIANTS = {
  dashboard: { ...exampleApp, monitoring: { ...exampleApp.monitoring, dashboard: true } },
  emails: appWith({ monitoring: { emails: ['oncall@example.com', 'lead@example.com'] } }),
  nonProductionEmails: appWith({ production: false, monitoring: { emails: ['dev@example.com'] } }),
  nonProductionAlarms: appWith({ production: false, monitoring: { alarms: true } }),
  alarmsOff: appWith({ monitoring: { alarms: false } }),
  thresholds: appWith({ monitoring: { http5xxRatePercent: 1, targetResponseTimeSeconds: 0.5, cpuPercent: 70, periodSeconds: 300, evaluationPeriods: 2, tasksBelowDesiredMinutes: 30 } }),
  ...(Object.fromEntries(Object.entries(PROCESS_SETS).map(([name, processes]) => [name, appWith({ processes })])) as Record<keyof typeof PROCESS_SETS, AppConfig>),
  production: appWith({}),
  nonProduction: appWith({ production: false }),
  parisSchedule: appWith({ production: false, scaleToZero: { timeZone: 'Europe/Paris', stopAt: '20:00' } }),
  scheduleOff: appWith({ production: false, scaleToZero: { enabled: false } }),
};

/** The variants' app stack templates: synthesized together, once, beside one cluster (test/helpers/example-stacks.ts). */
let variants: Record<keyof typeof VARIANTS, Template>;

beforeAll(() => {
  variants = synthesizeApps(VARIANTS);
});

/** The example app's shard of the cluster's alerts topics, as the app stack addresses it (by name: no export, no per-app topic). */
const ALERTS = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:slipway-production-alerts-${alertsShard('example')}`]] };

/** The alarm named `slipway-example-<key>`. */
function alarm(template: Template, key: string) {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `slipway-example--${key}` } }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** The template's value of the listener import the LoadBalancer dimension is derived from. */
const fromListenerImport = Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.objectLike({ 'Fn::Select': [1, Match.objectLike({ 'Fn::Split': ['/', { 'Fn::ImportValue': Match.stringLikeRegexp('HttpsListener') }] })] })])] });

describe('AppMonitoring in the example app stack', () => {
  let template: Template;

  beforeAll(() => {
    // The example app's stack as every suite reads it: synthesized once per run (test/helpers/example-stacks.ts).
    template = synthesizeApp().app;
  });

  test('no topic, key or EventBridge rule of its own: every alarm notifies the cluster\'s alerts topic (ALARM and OK)', () => {
    for (const type of ['AWS::SNS::Topic', 'AWS::KMS::Key', 'AWS::Events::Rule']) template.resourceCountIs(type, 0);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms) expect([a.Properties.AlarmActions, a.Properties.OKActions]).toEqual([[ALERTS], [ALERTS]]);
  });

  test('a production app gets its alarms by default: web, each process, its schedules\' target errors (10 for the example app)', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName).sort();
    expect(names).toEqual(
      ['http-5xx-rate', 'response-time', 'unhealthy-hosts', 'web-cpu', 'web-memory', 'web-tasks-below-desired', 'worker-cpu', 'worker-memory', 'worker-tasks-below-desired', 'schedule-target-errors'].map((k) => `slipway-example--${k}`).sort(),
    );
  });

  test('without monitoring.emails there is no subscription', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the 5xx-rate alarm divides target 5xx by requests of the app\'s target group, over the configured threshold', () => {
    const a = alarm(template, 'http-5xx-rate');
    expect(a).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, AlarmActions: [ALERTS], OKActions: [ALERTS] });
    const metrics = a.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string } }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('IF(requests > 0, 100 * target5xx / requests, 0)');
    const byId = Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!]));
    expect(byId.target5xx).toMatchObject({ Metric: { MetricName: 'HTTPCode_Target_5XX_Count', Namespace: 'AWS/ApplicationELB' }, Stat: 'Sum', Period: 60 });
    expect(byId.requests).toMatchObject({ Metric: { MetricName: 'RequestCount' }, Stat: 'Sum' });
    expect(byId.requests.Metric.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: expect.anything() },
      { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [expect.stringMatching(/^WebTargetGroup/), 'TargetGroupFullName'] } },
    ]);
  });

  test('the response-time alarm: average TargetResponseTime of the app\'s target group above 2 s', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'slipway-example--response-time',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      Statistic: 'Average',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'LoadBalancer', Value: fromListenerImport }, { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebTargetGroup'), 'TargetGroupFullName'] } }],
      AlarmActions: [ALERTS],
    });
  });

  test('the unhealthy-hosts alarm fires on one unhealthy target (maximum)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'slipway-example--unhealthy-hosts',
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [ALERTS],
    });
  });

  test.each(['web', 'worker'])('the %s service has CPU and memory alarms on its pipeline-created service name', (process) => {
    for (const [key, metricName] of [['cpu', 'CPUUtilization'], ['memory', 'MemoryUtilization']]) {
      const a = alarm(template, `${process}-${key}`);
      expect(a).toMatchObject({ Threshold: 85, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', AlarmActions: [ALERTS] });
      expect(a.Metrics[0].MetricStat).toMatchObject({
        Metric: { Namespace: 'AWS/ECS', MetricName: metricName, Dimensions: [{ Name: 'ClusterName', Value: { 'Fn::ImportValue': expect.stringMatching(/Cluster/) } }, { Name: 'ServiceName', Value: `example--${process}` }] },
        Stat: 'Average',
      });
    }
  });

  test('the tasks-below-desired alarm: Container Insights desired - running > 0 for 15 one-minute periods', () => {
    const a = alarm(template, 'worker-tasks-below-desired');
    expect(a).toMatchObject({ Threshold: 0, EvaluationPeriods: 15, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [ALERTS] });
    const names = (a.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Value: unknown }[] }; Period: number } }[])
      .filter((m) => m.MetricStat)
      .map((m) => `${m.MetricStat!.Metric.Namespace}/${m.MetricStat!.Metric.MetricName}/${m.MetricStat!.Metric.Dimensions[1].Value}/${m.MetricStat!.Period}`);
    expect(names.sort()).toEqual(['ECS/ContainerInsights/DesiredTaskCount/example--worker/60', 'ECS/ContainerInsights/RunningTaskCount/example--worker/60']);
    expect(a.Metrics.find((m: { Expression?: string }) => m.Expression).Expression).toBe('desired - running');
  });

  test('no pipeline alarm and no failure rule per app: those are the cluster\'s, for every app', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names.filter((n) => /-(build|release|deploy|config-change|schedules)-failed$|dead-letters/.test(n))).toEqual([]);
  });

  test('no dashboard unless monitoring.dashboard is set (the cluster has one)', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  test('with monitoring.dashboard, the dashboard graphs the app\'s target group and its services by name, and shows every alarm', () => {
    const template = variants.dashboard;
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: 'slipway-example' } }));
    expect(dashboards).toHaveLength(1);
    const parts = dashboards[0].Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
    for (const title of ['Requests', '4xx / 5xx rate (%)', 'Target response time (s)', 'Healthy / unhealthy hosts', 'CPU per process type (%)', 'Memory per process type (%)', 'Running / desired tasks']) {
      expect(body).toContain(`"title":"${title}`);
    }
    expect(body).toMatch(/"TargetGroup","\{"Fn::GetAtt":\["WebTargetGroup[0-9A-F]+","TargetGroupFullName"\]\}"/);
    expect(body).toContain('"ServiceName","example--web"');
    expect(body).toContain('"ServiceName","example--worker"');
    const alarmRefs = parts.filter((p): p is { 'Fn::GetAtt': [string, string] } => typeof p === 'object' && p !== null && 'Fn::GetAtt' in p && (p as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][1] === 'Arn');
    expect(new Set(alarmRefs.map((r) => r['Fn::GetAtt'][0])).size).toBe(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
  });

  test('both operator policies may describe only the app\'s alarms; only the operate policy may scale', () => {
    const policy = (id: string) => Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).find(([k]) => k.startsWith(id))![1].Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[];
    for (const id of ['OperatePolicy', 'DevelopPolicy']) {
      expect(policy(id).find((st) => st.Sid === 'ReadAlarms')).toMatchObject({
        Action: 'cloudwatch:DescribeAlarms',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:slipway-example--*']] },
      });
    }
    expect(policy('OperatePolicy').some((st) => st.Sid === 'ScaleProcesses')).toBe(true);
    expect(policy('DevelopPolicy').some((st) => st.Sid === 'ScaleProcesses' || st.Sid === 'ScaleServices')).toBe(false);
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    // Checked once per run on the example app's stacks (test/helpers/example-stacks.ts).
    expect(exampleNagFindings().app).toEqual([]);
  });
});

describe('AppMonitoring from the config', () => {
  test('monitoring.emails subscribe to the cluster\'s alerts topic, filtered on the message body: the app\'s failures and its own alarms by name', () => {
    const template = variants.emails;
    const alarmNames = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    for (const email of ['oncall@example.com', 'lead@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: email,
        TopicArn: ALERTS,
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: { $or: [{ detail: { app: ['example'] } }, { AlarmName: alarmNames }] },
      });
    }
  });

  test('a non-production app gets no alarm unless monitoring.alarms is set; its subscribers still get its pipeline failures', () => {
    const template = variants.nonProductionEmails;
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { detail: { app: ['example'] } } });
    const optedIn = variants.nonProductionAlarms;
    expect(Object.keys(optedIn.findResources('AWS::CloudWatch::Alarm')).length).toBe(10);
  });

  test('a production app may turn its alarms off', () => {
    variants.alarmsOff.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('thresholds and periods come from monitoring', () => {
    const template = variants.thresholds;
    expect(alarm(template, 'http-5xx-rate')).toMatchObject({ Threshold: 1, EvaluationPeriods: 2 });
    expect(alarm(template, 'response-time')).toMatchObject({ Threshold: 0.5, Period: 300, EvaluationPeriods: 2 });
    expect(alarm(template, 'web-cpu')).toMatchObject({ Threshold: 70 });
    expect(alarm(template, 'web-cpu').Metrics[0].MetricStat.Period).toBe(300);
    expect(alarm(template, 'web-tasks-below-desired')).toMatchObject({ EvaluationPeriods: 30 });
  });

  test('domain/alerts.ts names exactly the alarms the stack creates (the CLI finds an app\'s alarms by these names)', () => {
    for (const [variant, processes] of Object.entries(PROCESS_SETS)) {
      const template = variants[variant as keyof typeof PROCESS_SETS];
      const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string).sort();
      expect(names).toEqual(appAlarmKeys(Object.keys(processes)).map((k) => appAlarmName('slipway', 'example', k)).sort());
    }
  });

  test('an app without a web process has no load-balancer alarms', () => {
    const template = variants.workerOnly;
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names.filter((n) => /5xx|response-time|unhealthy/.test(n))).toEqual([]);
    expect(names).toContain('slipway-example--worker-cpu');
  });
});

describe('scale-to-zero schedule in the settings record', () => {
  /** The settings JSON the stack writes (tokens replaced). */
  function settingsOf(template: Template) {
    const parameter = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/settings' } }))[0];
    const join = parameter.Properties.Value as { 'Fn::Join': [string, unknown[]] };
    const text = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join['Fn::Join'][0]);
    return JSON.parse(text);
  }

  test('a production app has no schedule', () => {
    expect(settingsOf(variants.production)).not.toHaveProperty('scaleToZero');
  });

  test('a non-production app gets the default schedule', () => {
    expect(settingsOf(variants.nonProduction).scaleToZero).toEqual({ timeZone: 'UTC', days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], stopAt: '18:00', startAt: '08:00' });
  });

  test('a non-production app gets its configured schedule', () => {
    const settings = settingsOf(variants.parisSchedule);
    expect(settings.scaleToZero).toEqual({ timeZone: 'Europe/Paris', days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], stopAt: '20:00', startAt: '08:00' });
  });

  test('a non-production app with scaleToZero.enabled false has no schedule', () => {
    expect(settingsOf(variants.scheduleOff)).not.toHaveProperty('scaleToZero');
  });
});

/**
 * SNS payload-based filtering for the subset the subscriptions use (SNS Developer Guide, "Amazon SNS
 * message filtering": exact string values, nested keys, `$or` at the top): every key of the policy present
 * in the body with one of the listed values.
 */
function snsMatches(policy: Record<string, unknown>, body: Record<string, unknown>): boolean {
  if (Array.isArray(policy.$or)) return (policy.$or as Record<string, unknown>[]).some((p) => snsMatches(p, body));
  return Object.entries(policy).every(([key, expected]) => {
    const value = body[key];
    if (Array.isArray(expected)) {
      expect(expected.every((x) => typeof x === 'string')).toBe(true); // no operator the helper ignores
      return typeof value === 'string' && expected.includes(value);
    }
    return typeof value === 'object' && value !== null && snsMatches(expected as Record<string, unknown>, value as Record<string, unknown>);
  });
}

describe('ClusterMonitoring: the alerts every app of the cluster shares', () => {
  let cluster: Template;
  let failureRules: { name: string; pattern: Record<string, unknown>; template: string; paths: Record<string, string> }[];

  beforeAll(() => {
    // The example config's cluster stack, as the example app's synthesis gives it (shared per run): what
    // these tests read is the cluster's own, the same for every app on it.
    ({ cluster } = synthesizeApp());
    failureRules = Object.values(cluster.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['slipway'] } } }))
      .filter((r) => r.Properties.Targets[0].InputTransformer)
      .map((r) => ({ name: r.Properties.Name, pattern: r.Properties.EventPattern, template: r.Properties.Targets[0].InputTransformer.InputTemplate, paths: r.Properties.Targets[0].InputTransformer.InputPathsMap }));
  });

  test('the platform\'s alerts topic and four app shards per cluster, encrypted with the account\'s alerts key (by alias), SSL only', () => {
    const topics = Object.values(cluster.findResources('AWS::SNS::Topic'));
    expect(topics.map((t) => t.Properties.TopicName).sort()).toEqual(['slipway-production-alerts', 'slipway-production-alerts-1', 'slipway-production-alerts-2', 'slipway-production-alerts-3', 'slipway-production-alerts-4']);
    for (const t of topics) {
      expect(t.Properties.KmsMasterKeyId).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alias/slipway/alerts']] });
    }
    cluster.resourceCountIs('AWS::KMS::Key', 0);
    cluster.resourceCountIs('AWS::SNS::TopicPolicy', 5);
    for (const policy of Object.values(cluster.findResources('AWS::SNS::TopicPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
          expect.objectContaining({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      );
    }
  });

  test('an app\'s shard is a stable hash of its name, spread over the four shards', () => {
    expect(alertsShard('example')).toBe(alertsShard('example'));
    const shards = new Set(Array.from({ length: 40 }, (_, i) => alertsShard(`app-${i}`)));
    expect([...shards].sort()).toEqual(Array.from({ length: ALERT_SHARDS }, (_, i) => i + 1));
    expect(() => alertsTopicName('slipway', 'production', 5)).toThrow('alerts shard must be 1 to 4, got 5');
  });

  test('each failure rule delivers to the platform\'s topic and to the four shards (five targets, EventBridge\'s maximum)', () => {
    for (const rule of Object.values(cluster.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['slipway'] } } })).filter((r) => r.Properties.Targets[0].InputTransformer)) {
      expect(rule.Properties.Targets.map((t: { Arn: { Ref: string } }) => t.Arn.Ref).sort()).toEqual(
        ['MonitoringAlertsTopic', 'MonitoringAppAlerts1Topic', 'MonitoringAppAlerts2Topic', 'MonitoringAppAlerts3Topic', 'MonitoringAppAlerts4Topic'].map((p) => expect.stringMatching(new RegExp(`^${p}[0-9A-F]{8}$`))),
      );
    }
  });

  test('two shared failure rules (no rule per app), matching the milestones of this control plane\'s executions', () => {
    expect(failureRules.map((r) => r.name).sort()).toEqual(['slipway-production-failed-builds', 'slipway-production-pipeline-failures']);
    const failures = failureRules.find((r) => r.name.endsWith('pipeline-failures'))!;
    expect(failures.pattern['detail-type']).toEqual(['Build Failed', 'Release Failed', 'Deploy Failed', 'Deploy Rolled Back']);
    const prefix = JSON.stringify((failures.pattern.detail as { execution: { prefix: unknown }[] }).execution[0].prefix);
    expect(prefix).toMatch(/:execution:slipway-production-"\]\]\}$/);
    const builds = failureRules.find((r) => r.name.endsWith('failed-builds'))!;
    expect(builds.pattern.detail).toMatchObject({ status: ['FAILED', 'FAULT', 'TIMED_OUT'] });
  });

  /** The SNS message body a rule sends for an event (EventBridge's input transformer, for string fields). */
  function body(rule: (typeof failureRules)[number], event: Record<string, unknown>): Record<string, unknown> {
    const get = (path: string) => path.replace(/^\$\./, '').split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], event);
    // A placeholder that is a JSON value gets the value as JSON (quoted); inside a string, the bare text.
    const text = rule.template
      .replace(/(?<=[:[,])<([\w-]+)>/g, (_m, name: string) => JSON.stringify(get(rule.paths[name])))
      .replace(/<([\w-]+)>/g, (_m, name: string) => String(get(rule.paths[name])));
    return JSON.parse(text);
  }

  test('a failure reaches the failing app\'s subscribers only; an alarm only the app that owns it', () => {
    const rule = failureRules.find((r) => r.name.endsWith('pipeline-failures'))!;
    const event = { 'detail-type': 'Release Failed', detail: { app: 'example', buildKey: '42', error: 'ReleaseFailed', cause: 'exit 1', execution: 'arn:aws:states:eu-west-1:123456789012:execution:slipway-production-release:example--42-release' } };
    const message = body(rule, event);
    expect(message.summary).toBe('Slipway example: Release Failed (build 42). ReleaseFailed: exit 1 Execution: arn:aws:states:eu-west-1:123456789012:execution:slipway-production-release:example--42-release');
    const example = appFilterPolicy('example', ['slipway-example--web-cpu']);
    const examplePlus = appFilterPolicy('example-plus', ['slipway-example-plus--web-cpu']);
    expect([snsMatches(example, message), snsMatches(examplePlus, message)]).toEqual([true, false]);
    // CloudWatch's alarm notification carries the alarm's name at the top of its JSON body.
    const alarm = { AlarmName: 'slipway-example-plus--web-cpu', NewStateValue: 'ALARM' };
    expect([snsMatches(example, alarm), snsMatches(examplePlus, alarm)]).toEqual([false, true]);
  });

  test('an app with so many alarms that the filter passes SNS\'s 150 combinations is refused, saying what to change', () => {
    const names = Array.from({ length: FILTER_POLICY_MAX_COMBINATIONS }, (_, i) => `slipway-big-p${i}-cpu`);
    expect(() => appFilterPolicy('big', names)).toThrow('app "big": its alerts subscription filter would have 151 combinations (150 alarms), SNS allows 150: fewer process types, or turn alarms off (monitoring.alarms)');
    expect(() => appFilterPolicy('big', names.slice(1))).not.toThrow();
  });

  test('an alarm per shared state machine and on the schedules\' dead-letter queue, to the alerts topic', () => {
    const names = Object.values(cluster.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName).sort();
    expect(names).toEqual(['build', 'config-change', 'deploy', 'release', 'schedules'].map((p) => `slipway-production-${p}-failed`).concat('slipway-production-schedule-dead-letters').sort());
  });

  test.each(['build', 'release', 'deploy', 'config-change', 'schedules'])('the shared %s state machine has one alarm on failed plus timed-out executions', (pipeline) => {
    const a = Object.values(cluster.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `slipway-production-${pipeline}-failed` } }))[0].Properties;
    expect(a).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlertsTopic/) }] });
    const stats = (a.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Stat: string } }[]).filter((m) => m.MetricStat).map((m) => m.MetricStat!);
    expect(stats.map((s) => s.Metric.MetricName).sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const s of stats) {
      expect(s.Stat).toBe('Sum');
      expect(s.Metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: expect.stringMatching(new RegExp(`^ControlPlane${pipeline.replace(/(^|-)([a-z])/g, (_m: string, _d: string, c: string) => c.toUpperCase())}StateMachine`)) } }]);
    }
  });

  test('one dashboard for the cluster', () => {
    cluster.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    cluster.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'slipway-production' });
  });
});
