import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, parseConfig, type AppConfig, type SlipwayConfig } from '../../lib/config';
import { AppStack } from '../../lib/stacks/app-stack';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { DatabaseStack } from '../../lib/stacks/database-stack';

const config: SlipwayConfig = loadConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
const exampleApp = config.apps.find((a) => a.name === 'example')!;

/** The example app with overrides, validated as the config would be. */
function appWith(overrides: Record<string, unknown>): AppConfig {
  const raw = { clusters: [{ name: 'production' }], apps: [{ name: 'example', cluster: 'production', repository: { owner: 'o', name: 'r' }, processes: { web: { port: 3000, autoscaling: { min: 2, max: 6 } }, worker: {} }, ...overrides }] };
  return parseConfig(raw).apps[0];
}

function synth(app: AppConfig = exampleApp) {
  const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
  // As bin/slipway-app.ts does: the database stack the app's config names.
  const dbConfig = config.databases.find((d) => d.name === app.database);
  const database = dbConfig ? new DatabaseStack(cdkApp, `Slipway-Database-${dbConfig.name}`, { prefix: config.prefix, config: dbConfig, cluster }).endpoint : undefined;
  const stack = new AppStack(cdkApp, `Slipway-App-${app.name}`, { prefix: config.prefix, app, cluster, database });
  return { stack, template: Template.fromStack(stack) };
}

/** Logical id of the app's alarm topic. */
function topicId(template: Template): string {
  const ids = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'slipway-example-alarms' } }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The alarm named `slipway-example-<key>`. */
function alarm(template: Template, key: string) {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `slipway-example-${key}` } }));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** The template's value of the listener import the LoadBalancer dimension is derived from. */
const fromListenerImport = Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.objectLike({ 'Fn::Select': [1, Match.objectLike({ 'Fn::Split': ['/', { 'Fn::ImportValue': Match.stringLikeRegexp('HttpsListener') }] })] })])] });

describe('AppMonitoring in the example app stack', () => {
  let stack: AppStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synth());
  });

  test('the alarm topic is encrypted with a rotated customer-managed key', () => {
    const id = topicId(template);
    const keys = template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } });
    const keyId = Object.keys(keys).find((k) => template.toJSON().Resources[id].Properties.KmsMasterKeyId['Fn::GetAtt'][0] === k);
    expect(keyId).toBeDefined();
  });

  test('the key policy lets CloudWatch alarms and EventBridge use the key, CloudWatch only for this account', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('slipway-example-alarms') } }))[0];
    expect(key.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }),
        expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
      ]),
    );
  });

  test('the topic policy denies publishing without TLS and lets CloudWatch alarms of this account publish', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId(template) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
  });

  test('without monitoring.emails there is no subscription', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the 5xx-rate alarm divides target 5xx by requests of the app\'s target group, over the configured threshold', () => {
    const a = alarm(template, 'http-5xx-rate');
    expect(a).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 5, AlarmActions: [{ Ref: topicId(template) }], OKActions: [{ Ref: topicId(template) }] });
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
      AlarmName: 'slipway-example-response-time',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      Statistic: 'Average',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'LoadBalancer', Value: fromListenerImport }, { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebTargetGroup'), 'TargetGroupFullName'] } }],
      AlarmActions: [{ Ref: topicId(template) }],
    });
  });

  test('the unhealthy-hosts alarm fires on one unhealthy target (maximum)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'slipway-example-unhealthy-hosts',
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId(template) }],
    });
  });

  test.each(['web', 'worker'])('the %s service has CPU and memory alarms on its pipeline-created service name', (process) => {
    for (const [key, metricName] of [['cpu', 'CPUUtilization'], ['memory', 'MemoryUtilization']]) {
      const a = alarm(template, `${process}-${key}`);
      expect(a).toMatchObject({ Threshold: 85, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: topicId(template) }] });
      expect(a.Metrics[0].MetricStat).toMatchObject({
        Metric: { Namespace: 'AWS/ECS', MetricName: metricName, Dimensions: [{ Name: 'ClusterName', Value: { 'Fn::ImportValue': expect.stringMatching(/Cluster/) } }, { Name: 'ServiceName', Value: `example-${process}` }] },
        Stat: 'Average',
      });
    }
  });

  test('the tasks-below-desired alarm: Container Insights desired - running > 0 for 15 one-minute periods', () => {
    const a = alarm(template, 'worker-tasks-below-desired');
    expect(a).toMatchObject({ Threshold: 0, EvaluationPeriods: 15, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: topicId(template) }] });
    const names = (a.Metrics as { MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Value: unknown }[] }; Period: number } }[])
      .filter((m) => m.MetricStat)
      .map((m) => `${m.MetricStat!.Metric.Namespace}/${m.MetricStat!.Metric.MetricName}/${m.MetricStat!.Metric.Dimensions[1].Value}/${m.MetricStat!.Period}`);
    expect(names.sort()).toEqual(['ECS/ContainerInsights/DesiredTaskCount/example-worker/60', 'ECS/ContainerInsights/RunningTaskCount/example-worker/60']);
    expect(a.Metrics.find((m: { Expression?: string }) => m.Expression).Expression).toBe('desired - running');
  });

  test.each(['build', 'release', 'deploy'])('the %s state machine has one alarm on failed plus timed-out executions', (pipeline) => {
    const a = alarm(template, `${pipeline}-failed`);
    expect(a).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: topicId(template) }] });
    const stats = (a.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Stat: string } }[]).filter((m) => m.MetricStat).map((m) => m.MetricStat!);
    expect(stats.map((s) => s.Metric.MetricName).sort()).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    for (const s of stats) {
      expect(s.Stat).toBe('Sum');
      expect(s.Metric.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: expect.stringMatching(new RegExp(`^Pipelines${pipeline[0].toUpperCase()}${pipeline.slice(1)}StateMachine`)) } }]);
    }
  });

  test('every state machine of the Pipelines construct has an alarm', () => {
    const names = Object.keys(stack.pipelines.stateMachines).map((p) => `slipway-example-${p}-failed`);
    for (const name of names) template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: name });
  });

  test('pipeline failure events of this app go to the topic as readable text', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['slipway'], 'detail-type': ['Build Failed', 'Release Failed', 'Deploy Failed', 'Deploy Rolled Back'], detail: { app: ['example'] } },
      Targets: [
        Match.objectLike({
          Arn: { Ref: topicId(template) },
          InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike({ 'detail-error': '$.detail.error', 'detail-cause': '$.detail.cause', 'detail-execution': '$.detail.execution' }) }),
        }),
      ],
    });
  });

  test('failed builds (Build Recorded with a failed status) go to the topic', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['slipway'], 'detail-type': ['Build Recorded'], detail: { app: ['example'], status: ['FAILED', 'FAULT', 'TIMED_OUT'] } },
      Targets: [Match.objectLike({ Arn: { Ref: topicId(template) } })],
    });
  });

  test('the dashboard graphs the app\'s target group, its services by name, its state machines, and shows every alarm', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: 'slipway-example' } }));
    expect(dashboards).toHaveLength(1);
    const parts = dashboards[0].Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
    for (const title of ['Requests', '4xx / 5xx rate (%)', 'Target response time (s)', 'Healthy / unhealthy hosts', 'CPU per process type (%)', 'Memory per process type (%)', 'Running / desired tasks', 'Pipeline outcomes']) {
      expect(body).toContain(`"title":"${title}`);
    }
    expect(body).toMatch(/"TargetGroup","\{"Fn::GetAtt":\["WebTargetGroup[0-9A-F]+","TargetGroupFullName"\]\}"/);
    expect(body).toContain('"ServiceName","example-web"');
    expect(body).toContain('"ServiceName","example-worker"');
    for (const sm of ['Build', 'Release', 'Deploy']) expect(body).toMatch(new RegExp(`"StateMachineArn","\\{"Ref":"Pipelines${sm}StateMachine`));
    const alarmRefs = parts.filter((p): p is { 'Fn::GetAtt': [string, string] } => typeof p === 'object' && p !== null && 'Fn::GetAtt' in p && (p as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][1] === 'Arn');
    expect(new Set(alarmRefs.map((r) => r['Fn::GetAtt'][0])).size).toBe(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
  });

  test('both CLI roles may describe only the app\'s alarms; only the management role may scale', () => {
    const policy = (sid: string) => Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => (p.Properties.PolicyDocument.Statement as { Sid?: string }[]).some((st) => st.Sid === sid));
    const [read] = policy('ReadAlarms');
    expect(read.Properties.PolicyDocument.Statement[0]).toMatchObject({
      Action: 'cloudwatch:DescribeAlarms',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:slipway-example-*']] },
    });
    const roleRefs = (p: { [key: string]: any }) => (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref).sort();
    expect(roleRefs(read)).toEqual([expect.stringMatching(/^ManagementRole/), expect.stringMatching(/^UserRole/)]);
    const [scale] = policy('ScaleProcesses');
    expect(roleRefs(scale)).toEqual([expect.stringMatching(/^ManagementRole/)]);
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('AppMonitoring from the config', () => {
  test('monitoring.emails become e-mail subscriptions of the alarm topic', () => {
    const { template } = synth(appWith({ monitoring: { emails: ['oncall@example.com', 'lead@example.com'] } }));
    for (const email of ['oncall@example.com', 'lead@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: topicId(template) } });
    }
  });

  test('thresholds and periods come from monitoring', () => {
    const { template } = synth(appWith({ monitoring: { http5xxRatePercent: 1, targetResponseTimeSeconds: 0.5, cpuPercent: 70, periodSeconds: 300, evaluationPeriods: 2, tasksBelowDesiredMinutes: 30 } }));
    expect(alarm(template, 'http-5xx-rate')).toMatchObject({ Threshold: 1, EvaluationPeriods: 2 });
    expect(alarm(template, 'response-time')).toMatchObject({ Threshold: 0.5, Period: 300, EvaluationPeriods: 2 });
    expect(alarm(template, 'web-cpu')).toMatchObject({ Threshold: 70 });
    expect(alarm(template, 'web-cpu').Metrics[0].MetricStat.Period).toBe(300);
    expect(alarm(template, 'web-tasks-below-desired')).toMatchObject({ EvaluationPeriods: 30 });
  });

  test('an app without a web process has no load-balancer alarms', () => {
    const { template } = synth(appWith({ processes: { worker: {} } }));
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names.filter((n) => /5xx|response-time|unhealthy/.test(n))).toEqual([]);
    expect(names).toContain('slipway-example-worker-cpu');
  });
});

describe('scale-to-zero schedule in the settings record', () => {
  /** The settings JSON the stack writes (tokens replaced). */
  function settingsOf(template: Template) {
    const writer = Object.values(template.findResources('Custom::AWS'))[0];
    const join = writer.Properties.Create as { 'Fn::Join': [string, unknown[]] };
    const text = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join['Fn::Join'][0]);
    return JSON.parse(JSON.parse(text).parameters.Item.settings.S);
  }

  test('a production app has no schedule', () => {
    expect(settingsOf(synth(appWith({})).template)).not.toHaveProperty('scaleToZero');
  });

  test('a non-production app gets the default schedule', () => {
    expect(settingsOf(synth(appWith({ production: false })).template).scaleToZero).toEqual({ timeZone: 'UTC', days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], stopAt: '18:00', startAt: '08:00' });
  });

  test('a non-production app gets its configured schedule', () => {
    const settings = settingsOf(synth(appWith({ production: false, scaleToZero: { timeZone: 'Europe/Paris', stopAt: '20:00' } })).template);
    expect(settings.scaleToZero).toEqual({ timeZone: 'Europe/Paris', days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], stopAt: '20:00', startAt: '08:00' });
  });

  test('a non-production app with scaleToZero.enabled false has no schedule', () => {
    expect(settingsOf(synth(appWith({ production: false, scaleToZero: { enabled: false } })).template)).not.toHaveProperty('scaleToZero');
  });
});
