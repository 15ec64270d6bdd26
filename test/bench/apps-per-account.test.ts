import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appsPerAccountGoals } from '../../bench/apps-per-account-goals';
import { measureVariant } from '../../bench/app-variant';
import { benchConfig, synthAssembly } from '../../bench/bench-synth';
import { firesPerMonth, idleMonthlyCost } from '../../bench/idle-cost';
import { deriveFigure, figureOf, QUOTA_KINDS, type QuotaKind } from '../../bench/quotas';
import { eventPatternChars, inlinePolicyCharsPerRole, listenerRulesPerLoadBalancer, loadBalancerSecurityGroupRules, logGroupCount, targetGroupsPerLoadBalancer, type Assembly, type CfnResource, type CfnTemplate } from '../../bench/template-counts';
import { renderAppsPerAccount } from '../../bench/report';
import { BenchInputError } from '../../bench/stats';

/**
 * Hand-written assemblies: a "platform" stack (a load balancer with its security group and HTTPS listener,
 * exported as a cluster stack exports them, one shared role and rule) and one stack per app that imports
 * the listener and the security group, as an app stack does.
 */
const EXPORT_LISTENER = 'Platform:Listener';
const EXPORT_LB_SG = 'Platform:LbSg';

function platform(): CfnTemplate {
  return {
    Resources: {
      LbSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ FromPort: 443 }, { FromPort: 80 }], SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0' }] } },
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Type: 'application', SecurityGroups: [{ 'Fn::GetAtt': ['LbSg', 'GroupId'] }] } },
      Https: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Lb' }, DefaultActions: [{ Type: 'fixed-response' }] } },
      SharedRole: { Type: 'AWS::IAM::Role' },
      SharedRule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['aws.ecs'] } } },
      SharedKey: { Type: 'AWS::KMS::Key' },
    },
    Outputs: {
      L: { Value: { Ref: 'Https' }, Export: { Name: EXPORT_LISTENER } },
      S: { Value: { 'Fn::GetAtt': ['LbSg', 'GroupId'] }, Export: { Name: EXPORT_LB_SG } },
    },
  };
}

/** One app: 2 roles, 1 default-bus rule and 1 rule on a custom bus, a listener rule, an egress rule on the LB's group, a sweep, a dashboard. */
function app(name: string, extra: Record<string, CfnResource> = {}): CfnTemplate {
  return {
    Resources: {
      TaskRole: { Type: 'AWS::IAM::Role' },
      ExecutionRole: { Type: 'AWS::IAM::Role' },
      BuildRule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['aws.codebuild'], detail: { 'project-name': [name] } } } },
      BusRule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: 'slipway-bus', EventPattern: { source: ['slipway'] } } },
      Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup' },
      Rule: { Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { ListenerArn: { 'Fn::ImportValue': EXPORT_LISTENER }, Actions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }] } },
      ToTasks: { Type: 'AWS::EC2::SecurityGroupEgress', Properties: { GroupId: { 'Fn::ImportValue': EXPORT_LB_SG }, FromPort: 3000 } },
      TaskSg: { Type: 'AWS::EC2::SecurityGroup' },
      FromLb: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['TaskSg', 'GroupId'] }, SourceSecurityGroupId: { 'Fn::ImportValue': EXPORT_LB_SG } } },
      Sweeper: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, Architectures: ['arm64'], LoggingConfig: { LogGroup: { Ref: 'SweeperLogs' } } } },
      SweeperLogs: { Type: 'AWS::Logs::LogGroup' },
      Sweep: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(10 minutes)', Targets: [{ Arn: { 'Fn::GetAtt': ['Sweeper', 'Arn'] }, Id: 'T0' }] } },
      Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
      ...extra,
    },
  };
}

const assemblyOf = (apps: number, extra: (i: number) => Record<string, CfnResource> = () => ({})): Assembly =>
  Object.fromEntries([['Platform', platform()], ...Array.from({ length: apps }, (_, i) => [`App${i + 1}`, app(`app-${i + 1}`, extra(i))])]);

const kind = (id: string): QuotaKind => {
  const k = QUOTA_KINDS.find((q) => q.id === id);
  if (!k) throw new Error(`no quota kind ${id}`);
  return k;
};

describe('counting', () => {
  test('IAM roles in every stack; EventBridge rules only on the default bus (the custom-bus rule is left out)', () => {
    const a = assemblyOf(2);

    expect(kind('iam-roles').count(a)).toBe(1 + 2 * 2);
    // Platform's rule, and per app the CodeBuild rule and the sweep: 1 + 2 * 2.
    expect(kind('eventbridge-default-bus-rules').count(a)).toBe(5);
  });

  test('a listener rule in an app stack counts against the load balancer its imported listener belongs to', () => {
    const rules = listenerRulesPerLoadBalancer(assemblyOf(3));

    expect([...rules]).toEqual([['Platform/Lb', 3]]);
  });

  test('target groups per load balancer: one per forwarding rule, none for a fixed-response default action', () => {
    expect([...targetGroupsPerLoadBalancer(assemblyOf(2))]).toEqual([['Platform/Lb', 2]]);
  });

  test("an egress rule on the LB's group counts against it; an ingress rule that only names it as source does not", () => {
    const rules = loadBalancerSecurityGroupRules(assemblyOf(2));

    expect(rules.get('Platform/LbSg')).toEqual({ inbound: 2, outbound: 1 + 2 });
  });

  test('log groups: explicit ones, plus the one a Lambda function without LoggingConfig.LogGroup gets, plus a CodeBuild project logging to its default group', () => {
    const a: Assembly = {
      S: {
        Resources: {
          Named: { Type: 'AWS::Lambda::Function', Properties: { LoggingConfig: { LogGroup: 'x' } } },
          Logs: { Type: 'AWS::Logs::LogGroup' },
          Unnamed: { Type: 'AWS::Lambda::Function', Properties: {} },
          BuildDefault: { Type: 'AWS::CodeBuild::Project', Properties: {} },
          BuildNamed: { Type: 'AWS::CodeBuild::Project', Properties: { LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: 'Logs' } } } } },
          BuildOff: { Type: 'AWS::CodeBuild::Project', Properties: { LogsConfig: { CloudWatchLogs: { Status: 'DISABLED' } } } },
        },
      },
    };

    expect(logGroupCount(a)).toBe(3);
  });
});

describe('quotas per resource (role policy size, event pattern size)', () => {
  /** A shared role's policy that names every app's bucket, and a shared rule that lists every app's project: both grow per app. */
  const sharedDoc = (apps: number) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: apps }, (_, i) => `arn:aws:s3:::slipway-app-${i + 1}/*`) }] });
  const sharedPattern = (apps: number) => ({ source: ['aws.codebuild'], detail: { 'project-name': Array.from({ length: apps }, (_, i) => `slipway-app-${i + 1}`) } });
  /** Each app's own role carries a large constant policy: with one app it is the largest, yet it never grows. */
  const bigDoc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'x'.repeat(3000) }] };
  const assembly = (apps: number): Assembly => ({
    Shared: {
      Resources: {
        ControlRole: { Type: 'AWS::IAM::Role' },
        ControlPolicy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'ControlRole' }], PolicyDocument: sharedDoc(apps) } },
        BuildRule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: sharedPattern(apps) } },
      },
    },
    ...Object.fromEntries(Array.from({ length: apps }, (_, i) => [`App${i + 1}`, { Resources: { TaskRole: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'own', PolicyDocument: bigDoc }] } } } }])),
  });
  const assemblies = [assembly(1), assembly(2), assembly(3)];
  const len = (v: unknown) => JSON.stringify(v).length;

  test('a role counts its own inline policies and every AWS::IAM::Policy that names it', () => {
    const chars = inlinePolicyCharsPerRole(assembly(2));

    expect(chars.get('Shared/ControlRole')).toBe(len(sharedDoc(2)));
    expect(chars.get('App1/TaskRole')).toBe(len(bigDoc));
  });

  test('the role that grows is followed, not the largest one with one app: the shared role binds IAM\'s 10,240 characters', () => {
    const kind = QUOTA_KINDS.find((k) => k.id === 'role-inline-policy-size');
    if (!kind) throw new Error('no role-inline-policy-size kind');
    const perApp = len(sharedDoc(2)) - len(sharedDoc(1));
    const shared = len(sharedDoc(1)) - perApp;

    const f = figureOf(kind, assemblies);

    expect(f).toMatchObject({ item: 'Shared/ControlRole', perApp, shared, fit: Math.floor((10240 - shared) / perApp) });
    // The largest role alone would say nothing grows.
    expect(deriveFigure(kind, assemblies.map((a) => kind.count(a))).perApp).toBe(0);
  });

  test('an event pattern that lists every app binds EventBridge\'s 2,048 characters', () => {
    const kind = QUOTA_KINDS.find((k) => k.id === 'event-pattern-size');
    if (!kind) throw new Error('no event-pattern-size kind');
    const perApp = len(sharedPattern(2)) - len(sharedPattern(1));

    const f = figureOf(kind, assemblies);

    expect([...eventPatternChars(assembly(1))]).toEqual([['Shared/BuildRule', len(sharedPattern(1))]]);
    expect(f).toMatchObject({ item: 'Shared/BuildRule', perApp, fit: Math.floor((2048 - (len(sharedPattern(1)) - perApp)) / perApp) });
  });
});

describe('deriveFigure', () => {
  const quota = { id: 'q', label: 'things', scope: 'account' as const, quota: 100, source: 'https://example.com' };

  test('shared, per app and the apps that fit from counts 7, 10, 13 under 100: (100 - 4) / 3 = 32', () => {
    const f = deriveFigure(quota, [7, 10, 13]);

    expect(f).toMatchObject({ shared: 4, perApp: 3, perAppCheck: 3, agrees: true, fit: 32 });
  });

  test('nothing per app: no limit (null), whatever the quota', () => {
    expect(deriveFigure(quota, [5, 5, 5])).toMatchObject({ shared: 5, perApp: 0, fit: null });
  });

  test('deltas that disagree are both reported and the larger one bounds the fit', () => {
    const f = deriveFigure(quota, [2, 4, 7]);

    expect(f).toMatchObject({ perApp: 2, perAppCheck: 3, agrees: false, shared: 0, fit: 33 });
  });

  test('a quota already used up by the shared resources fits 0 apps, not a negative number', () => {
    expect(deriveFigure({ ...quota, quota: 10 }, [12, 13, 14]).fit).toBe(0);
  });

  test('a kind without a quota never binds', () => {
    expect(deriveFigure({ ...quota, quota: null }, [1, 2, 3]).fit).toBeNull();
  });

  test('counts that fall as apps are added are refused with the counts named', () => {
    expect(() => deriveFigure(quota, [5, 4, 3])).toThrow(BenchInputError);
    expect(() => deriveFigure(quota, [5, 4, 3])).toThrow('things: the count falls as apps are added (5, 4, 3)');
  });

  test('fewer than three counts are refused', () => {
    expect(() => deriveFigure(quota, [1, 2])).toThrow('need the counts for 1, 2 and 3 apps, got 2');
  });
});

describe('measureVariant over hand-written assemblies', () => {
  const v = measureVariant('non-production', [assemblyOf(1), assemblyOf(2), assemblyOf(3)]);
  const fig = (id: string) => v.quotas.find((q) => q.id === id);

  test('IAM roles: 1 shared, 2 per app, floor(999 / 2) = 499 apps', () => {
    expect(fig('iam-roles')).toMatchObject({ counts: [3, 5, 7], shared: 1, perApp: 2, fit: 499 });
  });

  test('default-bus rules: 1 shared, 2 per app, floor(299 / 2) = 149 apps', () => {
    expect(fig('eventbridge-default-bus-rules')).toMatchObject({ shared: 1, perApp: 2, fit: 149 });
  });

  test('per load balancer: 1 listener rule per app, 100 fit; inbound rules of the LB group: nothing per app', () => {
    expect(fig('alb-rules')).toMatchObject({ scope: 'load balancer', perApp: 1, fit: 100 });
    expect(fig('lb-sg-inbound')).toMatchObject({ shared: 2, perApp: 0, fit: null });
    expect(fig('lb-sg-outbound')).toMatchObject({ shared: 1, perApp: 1, fit: 59 });
  });

  test('one stack per app: CloudFormation stacks 1 shared, 1 per app', () => {
    expect(fig('cloudformation-stacks')).toMatchObject({ shared: 1, perApp: 1, fit: 1999 });
  });

  test("the idle cost per app: the dashboard and the sweep's invocations, the shared KMS key not in it", () => {
    // 4,380 invocations a month (every 10 minutes for 730 h), each $0.20/1M + 1 GB * 0.1 s * $0.0000133334 + 1,000 bytes of logs at $0.50/GB.
    const perInvocation = 0.2 / 1e6 + 0.1 * 0.0000133334 + (1000 / 1024 ** 3) * 0.5;

    expect(v.cost.perAppTotal).toBeCloseTo(3 + 4380 * perInvocation, 10);
    expect(v.cost.perAppCheckTotal).toBeCloseTo(v.cost.perAppTotal, 10);
    expect(v.cost.perApp.map((l) => l.item)).toEqual(['CloudWatch dashboards', 'scheduled Lambda invocations (requests, duration, log ingestion)']);
    expect(v.cost.unpriced).toEqual([]);
  });

  test('the types one app adds, most first', () => {
    expect(v.perAppTypes[0]).toEqual({ type: 'AWS::Events::Rule', perApp: 3, perAppCheck: 3 });
    expect(v.perAppTypes.map((t) => t.type)).not.toContain('AWS::KMS::Key');
  });

  test('a per-app resource the cost model does not know is reported as not priced, a shared one is not', () => {
    const withUnknown = (apps: number) => ({ ...assemblyOf(apps, () => ({ Odd: { Type: 'AWS::Made::Up' } })), Platform: { ...platform(), Resources: { ...platform().Resources, Shared: { Type: 'AWS::Shared::Thing' } } } });

    const u = measureVariant('non-production', [withUnknown(1), withUnknown(2), withUnknown(3)]);

    expect(u.cost.unpriced).toEqual(['AWS::Made::Up']);
  });

  test('the goals: 149 apps misses 300, $3.01 misses $1; rendered with the binding quota per account and per cluster named', () => {
    const results = { baseConfig: 'config/example.json', baseApp: 'example', variants: [v], assumptions: { lambda: { memoryMb: 256, billedMsPerInvocation: 100 }, logBytesPerInvocation: 1000 } };

    const goals = appsPerAccountGoals(results);

    expect(goals.map((g) => g.pass)).toEqual([false, false]);
    expect(goals[0].figure).toBe('149 apps (EventBridge rules on the default event bus binds: 2 per app, 1 shared, quota 300)');
    const md = renderAppsPerAccount(results, 6);
    expect(md).toContain('## 6. Apps per account');
    expect(md).toContain('Per account and Region: **149 apps**, bound by EventBridge rules on the default event bus.');
    // Per cluster the LB group's outbound rules bind first: (60 - 1) / 1 = 59, before 100 listener rules.
    expect(md).toContain("**59 apps**, bound by outbound rules of the load balancer's security group");
  });
});

describe('idleMonthlyCost', () => {
  test('alarms: $0.10 per metric, a metric-math alarm per MetricStat, high resolution (alarm or metric period < 60 s) $0.30; composite $0.50; KMS key $1', () => {
    const a: Assembly = {
      S: {
        Resources: {
          One: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'CPU', Period: 60 } },
          Math: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'a/b' }, { Id: 'a', MetricStat: {} }, { Id: 'b', MetricStat: {} }] } },
          Fast: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'x', Period: 10 } },
          FastMath: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'a*2' }, { Id: 'a', MetricStat: { Period: 10 } }] } },
          Both: { Type: 'AWS::CloudWatch::CompositeAlarm' },
          Key: { Type: 'AWS::KMS::Key' },
        },
      },
    };

    const c = idleMonthlyCost(a);

    expect(c.total).toBeCloseTo(0.1 + 0.2 + 0.3 + 0.3 + 0.5 + 1, 10);
  });

  test('on-demand tables and standard parameters are free; provisioned capacity and advanced parameters are not', () => {
    const a: Assembly = {
      S: {
        Resources: {
          OnDemand: { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST' } },
          Provisioned: { Type: 'AWS::DynamoDB::Table', Properties: { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } },
          Std: { Type: 'AWS::SSM::Parameter', Properties: { Tier: 'Standard' } },
          Adv: { Type: 'AWS::SSM::Parameter', Properties: { Tier: 'Advanced' } },
        },
      },
    };

    expect(idleMonthlyCost(a).lines).toEqual([
      { item: 'DynamoDB provisioned capacity', usd: expect.closeTo((0.00013 + 0.00065) * 730, 10) },
      { item: 'SSM advanced parameters', usd: 0.05 },
    ]);
  });

  test('a scheduled rule whose target is not a Lambda function of the templates is named as not priced', () => {
    const a: Assembly = { S: { Resources: { Sm: { Type: 'AWS::StepFunctions::StateMachine' }, R: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: { Ref: 'Sm' } }] } } } } };

    expect([...idleMonthlyCost(a).unpriced.keys()]).toEqual(["a scheduled rule's target of type AWS::StepFunctions::StateMachine"]);
  });
});

describe('firesPerMonth', () => {
  test('rate expressions over 730 hours', () => {
    expect(firesPerMonth('rate(5 minutes)')).toBe(8760);
    expect(firesPerMonth('rate(1 hour)')).toBe(730);
    expect(firesPerMonth('rate(1 day)')).toBeCloseTo(730 / 24, 10);
  });

  test('cron: weekdays at 08:00 fire on 5/7 of the days; every 15 minutes all day, every day', () => {
    expect(firesPerMonth('cron(0 8 ? * MON-FRI *)')).toBeCloseTo(((730 / 24) * 5) / 7, 10);
    expect(firesPerMonth('cron(0/15 * * * ? *)')).toBeCloseTo(4 * 24 * (730 / 24), 10);
  });

  test('an expression it cannot read is a named error', () => {
    expect(() => firesPerMonth('every tuesday')).toThrow(BenchInputError);
    expect(() => firesPerMonth('cron(0 8 * *)')).toThrow('has 4 fields, EventBridge\'s have 6');
  });
});

describe('benchConfig', () => {
  const example = {
    prefix: 'slipway',
    clusters: [{ name: 'production' }],
    databases: [{ name: 'main', cluster: 'production' }],
    apps: [
      { name: 'docs', cluster: 'production', repository: { owner: 'o', name: 'docs' }, processes: { web: { port: 8080 } } },
      { name: 'shop', cluster: 'production', repository: { owner: 'o', name: 'shop' }, hostname: 'shop.apps.example.com', database: 'main', databaseRemovalPolicy: 'destroy', processes: { web: { port: 3000 }, worker: { command: ['w'] } } },
    ],
  };

  test('n copies of the app with web and worker, renamed, without a database, with the production flag; prefix, clusters and databases kept', () => {
    const { config, baseApp } = benchConfig(example, 2, false);
    const apps = config.apps as Record<string, unknown>[];

    expect(baseApp).toBe('shop');
    expect(apps.map((a) => [a.name, a.hostname, (a.repository as { name: string }).name, a.production, a.database, a.databaseRemovalPolicy])).toEqual([
      ['bench-1', 'bench-1.apps.example.com', 'bench-1', false, undefined, undefined],
      ['bench-2', 'bench-2.apps.example.com', 'bench-2', false, undefined, undefined],
    ]);
    expect(Object.keys(apps[0].processes as object)).toEqual(['web', 'worker']);
    expect(config.databases).toEqual(example.databases);
  });

  test('people\'s sign-in is on (so the people role and its policies are counted): the example\'s provider, else a stand-in', () => {
    expect((benchConfig(example, 1, false).config.account as Record<string, unknown>).signIn).toEqual({ issuer: 'https://login.example.com', clientId: 'slipway-dashboard' });
    const own = { issuer: 'https://id.example.org', clientId: 'c' };
    expect((benchConfig({ ...example, account: { signIn: own } }, 1, false).config.account as Record<string, unknown>).signIn).toEqual(own);
  });

  test('a config with no app is a named error', () => {
    expect(() => benchConfig({ ...example, apps: [] }, 1, true)).toThrow('the example config has no app to copy');
  });
});

describe('synthAssembly (the cloud assembly protocol, with a stand-in for the CDK app)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'slipway-apps-test-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /**
   * A stand-in CDK app: reads CDK_CONTEXT_JSON and the config it names, writes one stack per app to
   * CDK_OUTDIR as the CDK does (manifest.json naming each stack's template), and records what it was given.
   */
  const FAKE_APP = `
const fs = require('fs'); const path = require('path');
const context = JSON.parse(process.env.CDK_CONTEXT_JSON);
const config = JSON.parse(fs.readFileSync(context['slipway:config'], 'utf8'));
const out = process.env.CDK_OUTDIR; fs.mkdirSync(out, { recursive: true });
const artifacts = { Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } } };
for (const app of config.apps) {
  const name = 'App-' + app.name;
  fs.writeFileSync(path.join(out, name + '.template.json'), JSON.stringify({ Resources: { Role: { Type: 'AWS::IAM::Role' } },
    Metadata: { validation: process.env.CDK_VALIDATION, bundling: context['aws:cdk:bundling-stacks'], kept: context.kept } }));
  artifacts[name] = { type: 'aws:cloudformation:stack', properties: { templateFile: name + '.template.json' } };
}
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '1', artifacts }));
`;

  test("runs cdk.json's app with the config, bundling and validation off and cdk.json's context kept, and reads each stack's template", () => {
    writeFileSync(join(root, 'fake-app.js'), FAKE_APP);
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ app: 'node fake-app.js', context: { kept: 'yes' } }));

    const { assembly } = synthAssembly(root, { apps: [{ name: 'a' }, { name: 'b' }] }, join(root, 'out'));

    expect(Object.keys(assembly).sort()).toEqual(['App-a', 'App-b']);
    expect((assembly['App-a'] as { Metadata?: unknown }).Metadata).toEqual({ validation: 'false', bundling: [], kept: 'yes' });
    expect(kind('iam-roles').count(assembly)).toBe(2);
  });

  test('a failing app is an error naming the command, its exit code and its message, without the stack frames', () => {
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ app: `node -e "console.error('Error: the config is bad'); console.error('    at frame (x.js:1:1)'); process.exit(3)"` }));

    expect(() => synthAssembly(root, { apps: [{ name: 'a' }] }, join(root, 'out'))).toThrow(/synth of 1 app\(s\) failed \(`node -e .*`, exit 3\):\nError: the config is bad$/);
  });

  test('a cdk.json without an app command is a named error', () => {
    writeFileSync(join(root, 'cdk.json'), JSON.stringify({ context: {} }));

    expect(() => synthAssembly(root, { apps: [] }, join(root, 'out'))).toThrow('cdk.json names no "app" command');
  });
});

describe('npm run bench -- --only', () => {
  const ROOT = resolve(__dirname, '..', '..');

  test('a section that does not exist is a usage error naming the ones that do: one line, exit code 2, nothing synthesized', () => {
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bench', 'run.ts'), '--only', 'apps-per-region'], { cwd: ROOT, encoding: 'utf8' });

    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['bench: --only apps-per-region: no such section (one of: apps, fleet, serve, dashboard); usage: npm run bench [-- --smoke] [-- --out DIR] [-- --only apps|fleet|serve|dashboard]']);
  });
});
