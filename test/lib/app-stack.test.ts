import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { appSettingsSchema } from '../../functions/shared/settings';
import { loadConfig, type AppConfig, type SlipwayConfig } from '../../lib/config';
import { buildAppSettings, type AppSettingsSources } from '../../lib/app-settings';
import { AppStack, listenerPriority } from '../../lib/stacks/app-stack';
import { ClusterStack } from '../../lib/stacks/cluster-stack';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown>; Sid?: string };

const config: SlipwayConfig = loadConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
const exampleApp = config.apps.find((a) => a.name === 'example')!;

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const render = (v: unknown): string => JSON.stringify(v).replace(/\\"/g, '"');

function synth(app: AppConfig = exampleApp, extra: Partial<{ listenerPriority: number }> = {}) {
  // No esbuild in stack tests: NodejsFunction skips bundling for stacks not listed here.
  const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
  const stack = new AppStack(cdkApp, `Slipway-App-${app.name}`, { prefix: config.prefix, app, cluster, ...extra });
  return { stack, template: Template.fromStack(stack) };
}

/** An AwsCustomResource call (a Fn::Join of JSON) with every CloudFormation token replaced by `<token>`. */
function sdkCall(join: { 'Fn::Join': [string, unknown[]] }) {
  const text = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join['Fn::Join'][0]);
  return JSON.parse(text);
}

/** Statements of every policy attached to the role whose logical ID starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  expect(roles).toHaveLength(1);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roles[0]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('AppStack (example app)', () => {
  let stack: AppStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synth());
  });

  test('CodeBuild project: GitHub source, webhook on pushes to the app branch, privileged build, buildspec pushing build-N and commit tags', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'slipway-example',
      Source: Match.objectLike({ Type: 'GITHUB', Location: 'https://github.com/example-org/example-app.git' }),
      Triggers: { Webhook: true, FilterGroups: [[{ Type: 'EVENT', Pattern: 'PUSH' }, { Type: 'HEAD_REF', Pattern: '^refs/heads/main$' }]] },
      Environment: Match.objectLike({ PrivilegedMode: true }),
    });
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0];
    const buildspec = project.Properties.Source.BuildSpec as string;
    expect(buildspec).toContain('docker login --username AWS --password-stdin');
    expect(buildspec).toContain('docker push \\"$REPOSITORY_URI:$IMAGE_TAG\\"');
    expect(buildspec).toContain('IMAGE_TAG=\\"build-$CODEBUILD_BUILD_NUMBER\\"');
    expect(buildspec).toContain('COMMIT_TAG=\\"$CODEBUILD_RESOLVED_SOURCE_VERSION\\"');
    expect(buildspec).toContain('docker push \\"$REPOSITORY_URI:$COMMIT_TAG\\"');
  });

  test('ECR repository: scan on push, lifecycle expiring untagged images and keeping the last 100 builds', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'slipway/example',
      ImageScanningConfiguration: { ScanOnPush: true },
    });
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0];
    const policy = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText);
    expect(policy.rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7 }) }),
      expect.objectContaining({ rulePriority: 2, selection: expect.objectContaining({ tagStatus: 'tagged', tagPrefixList: ['build-'], countType: 'imageCountMoreThan', countNumber: 100 }) }),
    ]);
  });

  test('artifact bucket: public access blocked, encrypted, server access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'artifacts/' },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('every bucket denies requests without SSL', () => {
    const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));
    expect(buckets.length).toBe(2);
    for (const bucket of buckets) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('web target group (IP targets on port 3000, health check /up) and a host rule on the cluster listener', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 3000,
      Protocol: 'HTTP',
      HealthCheckPath: '/up',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: listenerPriority('example'),
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['example.apps.example.com'] } }],
      ListenerArn: { 'Fn::ImportValue': Match.stringLikeRegexp('Slipway-Cluster-production') },
    });
  });

  test('app security group: ingress only from the load balancer security group, on the web port', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'));
    expect(ingress).toHaveLength(1);
    expect(ingress[0].Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000 });
    expect(ingress[0].Properties.SourceSecurityGroupId).toEqual({ 'Fn::ImportValue': expect.stringContaining('Slipway-Cluster-production') });
    const sg = Object.values(template.findResources('AWS::EC2::SecurityGroup'))[0];
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('log groups for the app, Slipway activity and builds, each with the app retention', () => {
    for (const name of ['/slipway/apps/example', '/aws/vendedlogs/states/slipway-example', '/slipway/apps/example/builds']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: name, RetentionInDays: 30 });
    }
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(g.Properties.RetentionInDays).toBeDefined();
  });

  test('the state machines log to the activity log group', () => {
    const activity = Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: '/aws/vendedlogs/states/slipway-example' } }))[0];
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toHaveLength(3);
    for (const m of machines) {
      expect(m.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn).toEqual({ 'Fn::GetAtt': [activity, 'Arn'] });
    }
  });

  test('execution role: pulls from this repository, writes this log group, reads only this app\'s config parameters', () => {
    const st = statementsOf(template, 'ExecutionRole');
    const pull = st.find((s) => actionsOf(s).includes('ecr:BatchGetImage'))!;
    expect(pull.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Repository/), 'Arn'] });
    const logs = st.find((s) => actionsOf(s).includes('logs:PutLogEvents'))!;
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppLogGroup/), 'Arn'] });
    const ssm = st.find((s) => actionsOf(s).includes('ssm:GetParameters'))!;
    expect(render(ssm.Resource)).toContain(':parameter/slipway/apps/example/config/*');
    const kms = st.find((s) => actionsOf(s).includes('kms:Decrypt'))!;
    expect(render(kms.Condition)).toContain('"kms:ViaService":{"Fn::Join":["",["ssm.",{"Ref":"AWS::Region"},".amazonaws.com"]]}');
  });

  test('events role: RunTask only on the app\'s families in its cluster, PassRole only to ECS tasks', () => {
    const st = statementsOf(template, 'EventsRole');
    const run = st.find((s) => actionsOf(s).includes('ecs:RunTask'))!;
    expect(resourcesOf(run).map(render)).toEqual([
      expect.stringContaining(':task-definition/slipway-example-web:*'),
      expect.stringContaining(':task-definition/slipway-example-worker:*'),
    ]);
    expect(run.Condition).toHaveProperty(['ArnEquals', 'ecs:cluster']);
    const pass = st.find((s) => actionsOf(s).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(resourcesOf(pass)).toHaveLength(2);
  });

  test('user role: read logs, start builds of this project, redrive this app\'s executions, read its config', () => {
    const st = statementsOf(template, 'UserRole');
    const actions = st.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['logs:FilterLogEvents', 'codebuild:StartBuild', 'states:RedriveExecution', 'ssm:GetParametersByPath', 'dynamodb:GetItem']));
    expect(actions).not.toEqual(expect.arrayContaining(['ssm:PutParameter']));
    const redrive = st.find((s) => actionsOf(s).includes('states:RedriveExecution'))!;
    expect(resourcesOf(redrive).map(render)).toEqual(['build', 'release', 'deploy'].map((n) => expect.stringContaining(`:execution:slipway-example-${n}:*`)));
    const build = st.find((s) => actionsOf(s).includes('codebuild:StartBuild'))!;
    expect(build.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Build/), 'Arn'] });
  });

  test('management and user roles may read the pipelines\' definitions and find and read their functions\' logs (slipway status)', () => {
    for (const role of ['ManagementRole', 'UserRole']) {
      const st = statementsOf(template, role);
      const describe = st.find((s) => s.Sid === 'ReadPipelineDefinitions')!;
      expect(actionsOf(describe)).toEqual(['states:DescribeStateMachine']);
      expect(resourcesOf(describe).map(render)).toEqual(['build', 'release', 'deploy'].map((n) => expect.stringContaining(`:stateMachine:slipway-example-${n}`)));
      const config = st.find((s) => s.Sid === 'FindFunctionLogs')!;
      expect(actionsOf(config)).toEqual(['lambda:GetFunctionConfiguration']);
      expect(resourcesOf(config)).toHaveLength(7);
      expect(resourcesOf(config).every((r) => render(r).includes('"Fn::GetAtt"'))).toBe(true);
      const readsFunctionLogs = st.filter((s) => actionsOf(s).includes('logs:FilterLogEvents')).flatMap(resourcesOf).map(render);
      const handlers = ['ParseBuildEvent', 'RegisterTaskDefinitions', 'CheckReleaseTask', 'UpdateService', 'WaitForDeployment', 'CheckDeployment', 'DeploymentEvents'];
      expect(handlers.filter((h) => !readsFunctionLogs.some((r) => r.includes(`Pipelines${h}LogGroup`)))).toEqual([]);
    }
  });

  test('no role statement uses Resource "*" except for actions without resource-level permissions', () => {
    const allowedStar = new Set([
      'ecr:GetAuthorizationToken',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      'ecs:RegisterTaskDefinition',
      'ecs:ListTaskDefinitions',
      'ecs:DescribeTaskDefinition',
      'application-autoscaling:RegisterScalableTarget',
      'application-autoscaling:PutScalingPolicy',
      'application-autoscaling:DescribeScalableTargets',
    ]);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const starred = statements.filter((s) => resourcesOf(s).includes('*')).flatMap(actionsOf);
    expect(starred.filter((a) => !allowedStar.has(a))).toEqual([]);
  });

  test('the settings record is written to the app table with PutItem under pk=APP, sk=SETTINGS', () => {
    const writers = Object.values(template.findResources('Custom::AWS'));
    expect(writers).toHaveLength(1);
    const call = sdkCall(writers[0].Properties.Create);
    expect(call).toMatchObject({ service: 'DynamoDB', action: 'putItem', parameters: { TableName: '<token>', Item: { pk: { S: 'APP' }, sk: { S: 'SETTINGS' } } } });
    const settings = JSON.parse(call.parameters.Item.settings.S);
    expect(settings).toMatchObject({
      app: 'example',
      codeBuildProject: '<token>',
      release: { process: 'web', command: ['bin/rails', 'db:migrate'] },
      deployTimeoutSeconds: 1800,
      network: { subnets: ['<token>', '<token>', '<token>'], securityGroups: ['<token>'], assignPublicIp: 'ENABLED' },
      processes: {
        web: { family: 'slipway-example-web', cpu: '512', memory: '1024', port: 3000, desiredCount: 2, targetGroupArn: '<token>', autoscaling: { min: 2, max: 6, cpuTarget: 60 } },
        worker: { family: 'slipway-example-worker', cpu: '256', memory: '512', desiredCount: 1 },
      },
    });
    expect(appSettingsSchema.safeParse(settings).success).toBe(true);
    expect(writers[0].Properties.Update).toEqual(writers[0].Properties.Create);
  });

  test('the settings writer may only PutItem on the app table', () => {
    const table = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [table, 'Arn'] } }] },
    });
  });

  test('the build rule listens to this app\'s CodeBuild project', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codebuild'], 'detail-type': ['CodeBuild Build State Change'], detail: { 'project-name': [{ Ref: Match.stringLikeRegexp('^Build') }] } },
    });
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});

describe('AppStack variants', () => {
  test('an app without a web process gets no target group or listener rule', () => {
    const worker: AppConfig = { ...exampleApp, name: 'jobs', releaseCommand: undefined, processes: { worker: exampleApp.processes.worker } };
    const { template } = synth(worker);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('a web process without a port is refused with the key named', () => {
    const noPort: AppConfig = { ...exampleApp, processes: { web: { ...exampleApp.processes.web, port: undefined } } };
    expect(() => synth(noPort)).toThrow('app "example": processes.web.port is required (the web process is attached to the load balancer)');
  });

  test('a log retention CloudWatch does not offer is refused', () => {
    expect(() => synth({ ...exampleApp, logRetentionDays: 2 })).toThrow(/app "example": logRetentionDays 2 is not a CloudWatch Logs retention/);
  });

  test('an explicit listener priority out of range is refused', () => {
    expect(() => synth(exampleApp, { listenerPriority: 0 })).toThrow('app "example": listenerPriority must be an integer from 1 to 50000, got 0');
  });
});

describe('buildAppSettings', () => {
  const sources: AppSettingsSources = {
    prefix: 'slipway',
    app: exampleApp,
    region: 'eu-west-1',
    cluster: 'slipway-production',
    imageRepositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/slipway/example',
    codeBuildProject: 'slipway-example',
    subnets: ['subnet-a', 'subnet-b', 'subnet-c'],
    securityGroups: ['sg-app'],
    assignPublicIp: true,
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
    taskRoleArn: 'arn:aws:iam::123456789012:role/task',
    logGroup: '/slipway/apps/example',
    webTargetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/abc',
  };

  test('produces a record the pipelines\' schema accepts', () => {
    expect(appSettingsSchema.safeParse(buildAppSettings(sources)).success).toBe(true);
  });

  test('one entry per process: family <prefix>-<app>-<process>, cpu/memory as strings, roles and log group', () => {
    const s = buildAppSettings(sources);
    expect(Object.keys(s.processes)).toEqual(['web', 'worker']);
    expect(s.processes.web).toMatchObject({
      family: 'slipway-example-web',
      cpu: '512',
      memory: '1024',
      command: ['bin/rails', 'server', '-b', '0.0.0.0'],
      port: 3000,
      executionRoleArn: sources.executionRoleArn,
      taskRoleArn: sources.taskRoleArn,
      logGroup: '/slipway/apps/example',
      environment: [{ name: 'PORT', value: '3000' }],
      desiredCount: 2,
      targetGroupArn: sources.webTargetGroupArn,
      healthCheckGracePeriodSeconds: 60,
      autoscaling: { min: 2, max: 6, cpuTarget: 60 },
    });
    expect(s.processes.worker).toMatchObject({ family: 'slipway-example-worker', cpu: '256', memory: '512', environment: [], desiredCount: 1, autoscaling: { min: 1, max: 4, cpuTarget: 60 } });
    expect(s.processes.worker.targetGroupArn).toBeUndefined();
  });

  test('network, capacity, release phase and deploy timeout come from the cluster and the config', () => {
    const s = buildAppSettings(sources);
    expect(s.network).toEqual({ subnets: ['subnet-a', 'subnet-b', 'subnet-c'], securityGroups: ['sg-app'], assignPublicIp: 'ENABLED' });
    expect(s.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 0 }]);
    expect(s.release).toEqual({ process: 'web', command: ['bin/rails', 'db:migrate'] });
    expect(s.deployTimeoutSeconds).toBe(1800);
    expect(s).toMatchObject({ app: 'example', region: 'eu-west-1', cluster: 'slipway-production', codeBuildProject: 'slipway-example' });
  });

  test('an app without a release command has no release phase; private subnets get no public IP', () => {
    const s = buildAppSettings({ ...sources, app: { ...exampleApp, releaseCommand: undefined }, assignPublicIp: false });
    expect(s.release).toBeUndefined();
    expect(s.network.assignPublicIp).toBe('DISABLED');
  });
});
