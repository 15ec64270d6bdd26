import { PIPELINE_FUNCTIONS, STATE_MACHINES } from '../../domain';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { appSettingsSchema } from '../../domain/settings';
import { loadDeploymentConfig, type AppConfig, type DeploymentConfig } from '../../lib/deployment-config';
import { buildAppSettings, type AppSettingsSources } from '../../lib/app-settings';
import { settingsSizeEstimate, settingsTier, STANDARD_PARAMETER_MAX_BYTES } from '../../lib/settings-tier';
import { AppStack, type AppStackProps } from '../../lib/stacks/app-stack';
import { listenerPriority } from '../../lib/constructs/app-load-balancing';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { actionsOf, PIPELINE_STAR_ACTIONS, resourcesOf, unexpectedStarActions, type Statement } from './iam';
import { DatabaseStack } from '../../lib/stacks/database-stack';
import { exampleNagFindings, stackTestApp, synthesizeApp, synthesizeApps } from '../helpers/example-stacks';


const config: DeploymentConfig = loadDeploymentConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
const exampleApp = config.apps.find((a) => a.name === 'example')!;

const render = (v: unknown): string => JSON.stringify(v).replace(/\\"/g, '"');

/**
 * The example config's cluster stack and the database stack the example app names, in one CDK app, for
 * the app stacks the tests expect to be refused while they are built: built once, each refused stack
 * under a construct ID of its own (a refused stack stays in the app, half built). Nothing synthesizes it.
 */
let forRefusals: { cdkApp: App; cluster: ClusterStack; databaseStack: DatabaseStack } | undefined;
let refusedStacks = 0;

function stacksForRefusals() {
  if (!forRefusals) {
    const cdkApp = stackTestApp();
    const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
    const databaseStack = new DatabaseStack(cdkApp, `Slipway-Database-${exampleApp.database}`, { prefix: config.prefix, config: config.databases.find((d) => d.name === exampleApp.database)!, cluster });
    forRefusals = { cdkApp, cluster, databaseStack };
  }
  return forRefusals;
}

/** Builds the app stack of `app` as bin/slipway-app.ts does (with the database stack its config names), beside {@link stacksForRefusals}. */
function refusedAppStack(app: AppConfig, props: Partial<AppStackProps> = {}): AppStack {
  const { cdkApp, cluster, databaseStack } = stacksForRefusals();
  refusedStacks += 1;
  return new AppStack(cdkApp, `Refused-${refusedStacks}`, { stackName: `Slipway-App-${app.name}`, prefix: config.prefix, app, cluster, ...(app.database ? { database: databaseStack.endpoint } : {}), ...props });
}

/** The variants of the example app whose templates the tests read, synthesized together (test/helpers/example-stacks.ts), on first use. */
const VARIANTS = {
  destroyingDatabase: { ...exampleApp, databaseRemovalPolicy: 'destroy' },
  withoutDatabase: { ...exampleApp, database: undefined },
  workerOnly: { ...exampleApp, name: 'jobs', releaseCommand: undefined, processes: { worker: exampleApp.processes.worker }, database: undefined },
} satisfies Record<string, AppConfig>;
let synthesizedVariants: Record<keyof typeof VARIANTS, Template> | undefined;
const variant = (name: keyof typeof VARIANTS): Template => (synthesizedVariants ??= synthesizeApps(VARIANTS))[name];

/** The settings parameter's JSON (a Fn::Join) with every CloudFormation token replaced by `<token>`. */
function settingsOf(template: Template) {
  const parameters = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/' + template.toJSON().Resources[Object.keys(template.findResources('AWS::CodeBuild::Project'))[0]].Properties.Name.replace(/^slipway-/, '') + '/settings' } }));
  expect(parameters).toHaveLength(1);
  const join = parameters[0].Properties.Value as { 'Fn::Join': [string, unknown[]] };
  const text = join['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join(join['Fn::Join'][0]);
  return { parameter: parameters[0].Properties, settings: JSON.parse(text) };
}

/** Statements of the customer-managed policy whose logical ID starts with `idPrefix`. */
function managedPolicyStatements(template: Template, idPrefix: string): Statement[] {
  const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith(idPrefix));
  expect(policies).toHaveLength(1);
  return policies[0][1].Properties.PolicyDocument.Statement as Statement[];
}

/** Statements of every policy attached to the role whose logical ID starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(rolePrefix));
  expect(roles).toHaveLength(1);
  // A role whose statements outgrow its inline policy's size limit gets CDK's overflow managed policies too.
  return [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))]
    .filter((p) => ((p.Properties.Roles ?? []) as { Ref: string }[]).some((r) => r.Ref === roles[0]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('AppStack (example app)', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizeApp().app;
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

  test('the build project says which control plane builds it (SLIPWAY_CONTROL_PLANE, matched by the cluster\'s build rule)', () => {
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0];
    expect(project.Properties.Environment.EnvironmentVariables).toContainEqual({ Name: 'SLIPWAY_CONTROL_PLANE', Type: 'PLAINTEXT', Value: 'slipway/control-plane/production' });
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
    const sgId = Object.keys(template.findResources('AWS::EC2::SecurityGroup'))[0];
    // (The other ingress rule in this stack is the database cluster's, from this group: see "app database".)
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => JSON.stringify(r.Properties.GroupId).includes(sgId));
    expect(ingress).toHaveLength(1);
    expect(ingress[0].Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000 });
    expect(ingress[0].Properties.SourceSecurityGroupId).toEqual({ 'Fn::ImportValue': expect.stringContaining('Slipway-Cluster-production') });
    const sg = Object.values(template.findResources('AWS::EC2::SecurityGroup'))[0];
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('log groups for the app and its builds, each with the app retention (the activity log is the control plane\'s)', () => {
    for (const name of ['/slipway/apps/example', '/slipway/apps/example/builds']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: name, RetentionInDays: 30 });
    }
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(g.Properties.RetentionInDays).toBeDefined();
  });

  test('only what is the app\'s own: 3 roles (task, execution, CodeBuild), no rule, key, topic, dashboard, function or state machine', () => {
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roles.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['BuildRole', 'ExecutionRole', 'TaskRole']);
    for (const type of ['AWS::Events::Rule', 'AWS::KMS::Key', 'AWS::SNS::Topic', 'AWS::CloudWatch::Dashboard', 'AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine', 'Custom::AWS', 'AWS::SQS::Queue']) {
      expect({ type, count: Object.keys(template.findResources(type)).length }).toEqual({ type, count: 0 });
    }
  });

  test('the app\'s table keeps the logical ID it had with per-app pipelines (PipelinesTableB1BA895D): moving is one cdk deploy, records stay', () => {
    // Today's ID, synthesized from the commit before this change (cb2d7d3, construct path Pipelines/Table).
    expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toEqual(['PipelinesTableB1BA895D']);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] }) });
  });

  test('the schedule group keeps its path (a replacement under the same name would collide with the group), named for its control plane', () => {
    expect(Object.keys(template.findResources('AWS::Scheduler::ScheduleGroup'))).toEqual([expect.stringMatching(/^PipelinesScheduleGroup/)]);
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'slipway-production.example' });
  });

  test('the table and the task and execution roles are tagged for the control plane (what its grants are conditioned on) and the app', () => {
    const tagged = (type: string) =>
      Object.values(template.findResources(type)).filter((r) => {
        const tags = (r.Properties.Tags ?? []) as { Key: string; Value: string }[];
        return tags.some((t) => t.Key === 'slipway:control-plane' && t.Value === 'production') && tags.some((t) => t.Key === 'slipway:app' && t.Value === 'example');
      }).length;
    expect(tagged('AWS::DynamoDB::Table')).toBe(1);
    expect(tagged('AWS::IAM::Role')).toBe(2);
    const build = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('BuildRole'))![1];
    expect(JSON.stringify(build.Properties.Tags ?? [])).not.toContain('slipway:control-plane');
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

  test('develop policy (<prefix>-<app>-develop): read logs and builds of this project, redrive this app\'s executions, read its config, nothing that changes or deploys it', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'slipway-example-develop', Roles: Match.absent(), Users: Match.absent(), Groups: Match.absent() });
    const st = managedPolicyStatements(template, 'DevelopPolicy');
    const actions = st.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['logs:FilterLogEvents', 'codebuild:BatchGetBuilds', 'states:RedriveExecution', 'ssm:GetParametersByPath', 'dynamodb:GetItem']));
    // No codebuild:StartBuild (issue 21): a build is released and deployed, and StartBuild's overrides
    // (sourceVersion) cannot all be forbidden by a condition key.
    for (const a of ['ssm:PutParameter', 'states:StartExecution', 'states:StopExecution', 'ecs:RunTask', 'iam:PassRole', 'dynamodb:PutItem', 'codebuild:StartBuild']) expect(actions).not.toContain(a);
    const redrive = st.find((s) => actionsOf(s).includes('states:RedriveExecution'))!;
    // Only the executions named after the app; those EventBridge names (build, config-change, schedules) are read-only.
    expect(resourcesOf(redrive).map(render)).toEqual(['release', 'deploy'].map((n) => expect.stringContaining(`:execution:slipway-production-${n}:example--*"`)));
    const build = st.find((s) => actionsOf(s).includes('codebuild:BatchGetBuilds'))!;
    expect(build.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Build/), 'Arn'] });
  });

  test('operate policy (<prefix>-<app>-operate): deploy through the shared deploy machine, manage only the app\'s executions, config and tasks', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'slipway-example-operate' });
    const st = managedPolicyStatements(template, 'OperatePolicy');
    const start = st.find((s) => actionsOf(s).includes('states:StartExecution'))!;
    expect(resourcesOf(start).map(render)).toEqual([expect.stringMatching(/:stateMachine:slipway-production-deploy"\]\]\}$/)]);
    const manage = st.find((s) => actionsOf(s).includes('states:StopExecution'))!;
    expect(actionsOf(manage).sort()).toEqual(['states:RedriveExecution', 'states:StopExecution']);
    expect(resourcesOf(manage).map(render)).toEqual(['release', 'deploy'].map((n) => expect.stringContaining(`:execution:slipway-production-${n}:example--*`)));
    const config = st.find((s) => actionsOf(s).includes('ssm:PutParameter'))!;
    expect(resourcesOf(config).map(render)).toEqual([
      expect.stringContaining(':parameter/slipway/apps/example/config"'),
      expect.stringContaining(':parameter/slipway/apps/example/config/*"'),
      expect.stringContaining(':parameter/slipway/apps/example/schedules"'),
    ]);
    // The app's records are the pipelines' to write: operators read them and write only the stored scales (pk SCALE).
    expect(st.flatMap(actionsOf)).not.toContain('dynamodb:PutItem');
    const records = st.find((s) => s.Sid === 'ReadRecords')!;
    expect(records.Resource).toEqual({ 'Fn::GetAtt': ['PipelinesTableB1BA895D', 'Arn'] });
    const scales = st.find((s) => s.Sid === 'StoreScales')!;
    expect(actionsOf(scales).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
    expect(scales.Resource).toEqual({ 'Fn::GetAtt': ['PipelinesTableB1BA895D', 'Arn'] });
    expect(scales.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['SCALE'] } });
  });

  test('both policies read the app\'s settings, the shared machines\' definitions, and the logs of the shared functions by name', () => {
    for (const id of ['DevelopPolicy', 'OperatePolicy']) {
      const st = managedPolicyStatements(template, id);
      const settings = st.find((s) => s.Sid === 'ReadSettings')!;
      expect(render(settings.Resource)).toContain(':parameter/slipway/apps/example/settings"');
      const describe = st.find((s) => s.Sid === 'ReadPipelines')!;
      expect(resourcesOf(describe).map(render)).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:stateMachine:slipway-production-${n}"`)));
      const config = st.find((s) => s.Sid === 'FindFunctionLogs')!;
      expect(resourcesOf(config).map(render)).toEqual(Object.values(PIPELINE_FUNCTIONS).map((f) => expect.stringContaining(`:function:slipway-production-${f}"`)));
      const logs = st.find((s) => s.Sid === 'ReadLogs')!;
      for (const f of Object.values(PIPELINE_FUNCTIONS)) expect(resourcesOf(logs).map(render)).toContainEqual(expect.stringContaining(`:log-group:/aws/lambda/slipway-production-${f}:*"`));
      // Build, config-change and schedules executions are named by EventBridge: readable (not redrivable) for every app of the control plane.
      const read = st.find((s) => s.Sid === 'ReadAppExecutions')!;
      expect(resourcesOf(read).map(render)).toEqual([
        expect.stringContaining(':execution:slipway-production-release:example--*"'),
        expect.stringContaining(':execution:slipway-production-deploy:example--*"'),
        expect.stringContaining(':execution:slipway-production-build:*"'),
        expect.stringContaining(':execution:slipway-production-config-change:*"'),
        expect.stringContaining(':execution:slipway-production-schedules:*"'),
      ]);
      expect(actionsOf(read).sort()).toEqual(['states:DescribeExecution', 'states:GetExecutionHistory']);
    }
  });

  test('no role statement uses Resource "*" except for actions without resource-level permissions', () => {
    // The pipelines' actions, and ECR's token (no resource-level permissions) for the CodeBuild role.
    // ... and ECS Exec's session channels for the task role (`slipway shell`): no resource-level permissions.
    expect(unexpectedStarActions(template, [...PIPELINE_STAR_ACTIONS, 'ecr:GetAuthorizationToken', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'])).toEqual([]);
  });

  test('the settings are the SSM String parameter /<prefix>/apps/<app>/settings (Intelligent-Tiering: standard until the account\'s standard tier is full), naming the app\'s table and control plane', () => {
    const { parameter, settings } = settingsOf(template);
    expect(parameter).toMatchObject({ Type: 'String', Tier: 'Intelligent-Tiering' });
    expect(settings).toMatchObject({
      app: 'example',
      table: '<token>',
      controlPlane: 'production',
      configDebounceSeconds: 30,
      codeBuildProject: '<token>',
      release: { process: 'web', command: ['bin/rails', 'db:migrate'] },
      deployTimeoutSeconds: 1800,
      network: { subnets: ['<token>', '<token>', '<token>'], securityGroups: ['<token>', '<token>'], assignPublicIp: 'ENABLED' },
      processes: {
        web: { family: 'slipway-example--web', cpu: '512', memory: '1024', port: 3000, desiredCount: 2, targetGroupArn: '<token>', autoscaling: { min: 2, max: 6, cpuTarget: 60 } },
        worker: { family: 'slipway-example--worker', cpu: '256', memory: '512', desiredCount: 1 },
      },
    });
    expect(appSettingsSchema.safeParse(settings).success).toBe(true);
    const parts = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/settings' } }))[0].Properties.Value['Fn::Join'][1] as unknown[];
    const at = parts.findIndex((p) => JSON.stringify(p) === JSON.stringify({ Ref: 'PipelinesTableB1BA895D' }));
    expect(String(parts[at - 1])).toMatch(/"table":"$/);
  });

  test('no settings record in the table any more: no custom resource, no provider function', () => {
    template.resourceCountIs('Custom::AWS', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('SETTINGS');
  });

  test('cdk-nag AwsSolutions: no unsuppressed findings', () => {
    // Checked once per run on the example app's stacks (test/helpers/example-stacks.ts).
    expect(exampleNagFindings().app).toEqual([]);
  });
});

describe('AppStack with a database (the example app names database "main")', () => {
  let template: Template;
  let database: Template;

  beforeAll(() => {
    ({ app: template, database } = synthesizeApp() as { app: Template; database: Template });
  });

  const importOf = (value: unknown): string => (value as { 'Fn::ImportValue': string })['Fn::ImportValue'];

  test('asks the database stack\'s manager for database and role "example", kept when the stack is deleted', () => {
    const resources = Object.values(template.findResources('Custom::SlipwayAppDatabase'));
    expect(resources).toHaveLength(1);
    expect(resources[0].Properties).toMatchObject({ Database: 'example', Owner: 'example', IamAuth: 'true', RemovalPolicy: 'retain' });
    expect(importOf(resources[0].Properties.ServiceToken)).toMatch(/^Slipway-Database-main:.*ManagerProviderframeworkonEvent/);
  });

  test('databaseRemovalPolicy "destroy" in the config makes the delete drop them', () => {
    const destroying = variant('destroyingDatabase');
    destroying.hasResourceProperties('Custom::SlipwayAppDatabase', { Database: 'example', RemovalPolicy: 'destroy' });
  });

  test('DATABASE_URL (no password, TLS verified) goes into the app\'s config folder once the database exists', () => {
    const database = Object.keys(template.findResources('Custom::SlipwayAppDatabase'))[0];
    const [parameter] = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/config/DATABASE_URL' } }));
    expect(parameter.DependsOn).toEqual([database]);
    const [, parts] = parameter.Properties.Value['Fn::Join'] as [string, unknown[]];
    expect(parts.map((p) => (typeof p === 'string' ? p : `<${importOf(p).replace(/^Slipway-Database-main:ExportsOutputFnGetAttClusterEB0386A7/, '').replace(/[A-F0-9]{8}$/, '')}>`)).join('')).toBe(
      'postgresql://example@<EndpointAddress>:<EndpointPort>/example?sslmode=verify-full',
    );
  });

  test('every process gets DATABASE_URL as an ECS secret from that parameter, which the execution role may read', () => {
    const { settings } = settingsOf(template);
    for (const process of ['web', 'worker']) {
      expect(settings.processes[process].secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: 'arn:<token>:ssm:<token>:<token>:parameter<token>' }]);
    }
    // The token after "parameter" is the parameter's name (/slipway/apps/example/config/DATABASE_URL): under
    // the config folder the execution role reads (ReadConfig).
    const parameterId = Object.keys(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/config/DATABASE_URL' } }))[0];
    const parts = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/settings' } }))[0].Properties.Value['Fn::Join'][1] as unknown[];
    expect(parts).toContainEqual({ Ref: parameterId });
    const ssm = statementsOf(template, 'ExecutionRole').find((s) => actionsOf(s).includes('ssm:GetParameters'))!;
    expect(render(ssm.Resource)).toContain(':parameter/slipway/apps/example/config/*');
  });

  test('the task role may rds-db:connect as the app\'s role on this cluster only', () => {
    // Beside ECS Exec's session channels (EcsExecChannels), one statement: rds-db:connect.
    const statements = statementsOf(template, 'TaskRole').filter((s) => s.Sid !== 'EcsExecChannels');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'rds-db:connect' });
    const [, parts] = (statements[0].Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    expect(parts[parts.length - 1]).toBe('/example');
    expect(parts[parts.length - 3]).toBe(':dbuser:');
    expect(importOf(parts[parts.length - 2])).toMatch(/^Slipway-Database-main:.*DBClusterResourceId/);
  });

  test('the app\'s tasks join the database\'s clients group: no rule per app in the database\'s security group', () => {
    expect(Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => importOf(r.Properties.GroupId)?.startsWith('Slipway-Database-main:'))).toEqual([]);
    const { settings } = settingsOf(template);
    expect(settings.network.securityGroups).toEqual(['<token>', '<token>']);
    const parts = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/settings' } }))[0].Properties.Value['Fn::Join'][1] as unknown[];
    expect(parts.map(importOf).filter((name): name is string => name !== undefined && /ClientsSecurityGroup/.test(name))).toHaveLength(1);
  });

  test('the database admits its clients group once, whatever the number of apps', () => {
    const fromClients = Object.values(database.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => JSON.stringify(r.Properties.SourceSecurityGroupId).includes('ClientsSecurityGroup'));
    expect(fromClients).toHaveLength(1);
    expect(JSON.stringify(fromClients[0].Properties.GroupId)).toContain('ClusterSecurityGroup');
  });

  test('references go one way (app stack -> database stack), so the whole app synthesizes offline', () => {
    const { appDependencies } = synthesizeApp();
    const imports = JSON.stringify(database.toJSON()).match(/"Fn::ImportValue":"[^":]+/g) ?? [];
    expect([...new Set(imports)]).toEqual(['"Fn::ImportValue":"Slipway-Cluster-production']);
    expect(appDependencies).toEqual(expect.arrayContaining(['Slipway-Database-main']));
  });

  test('cdk-nag AwsSolutions: the database stack stays clean with an app attached', () => {
    expect(exampleNagFindings().database).toEqual([]);
  });

  test('an app without a database gets none of it', () => {
    const plain = variant('withoutDatabase');
    plain.resourceCountIs('Custom::SlipwayAppDatabase', 0);
    expect(Object.values(plain.findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name)).toEqual(['/slipway/apps/example/settings']);
    expect(JSON.stringify(plain.toJSON())).not.toContain('rds-db:connect');
    const { settings } = settingsOf(plain);
    expect(settings.processes.web.secrets).toEqual([]);
  });

  test('a config naming a database without the database stack passed is refused', () => {
    expect(() => refusedAppStack(exampleApp, { database: undefined })).toThrow(
      'app "example": the config names database "main", but no database stack endpoint was passed (AppStackProps.database)',
    );
  });

  test('a database stack passed for an app whose config names another (or none) is refused', () => {
    expect(() => refusedAppStack({ ...exampleApp, name: 'docs2', database: undefined }, { database: stacksForRefusals().databaseStack.endpoint })).toThrow(
      'app "docs2": a database stack endpoint ("main") was passed, but the config names no database',
    );
  });

  test('an app whose database name would be reserved or the admin user is refused at synth', () => {
    expect(() => refusedAppStack({ ...exampleApp, name: 'postgres' })).toThrow('AppDatabase app "postgres": its database would be named "postgres", but database name "postgres" is reserved by PostgreSQL or RDS; choose another name; rename the app');
    expect(() => refusedAppStack({ ...exampleApp, name: 'rds-tools' })).toThrow(/AppDatabase app "rds-tools": its database would be named "rds_tools", but .* starts with "rds_"/);
    expect(() => refusedAppStack({ ...exampleApp, name: 'slipway-admin' })).toThrow('AppDatabase app "slipway-admin": its role would be "slipway_admin", the cluster\'s admin user; rename the app');
  });
});

describe('AppStack variants', () => {
  test('an app without a web process gets no target group or listener rule', () => {
    const template = variant('workerOnly');
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('a web process without a port is refused with the key named', () => {
    const noPort: AppConfig = { ...exampleApp, processes: { web: { ...exampleApp.processes.web, port: undefined } } };
    expect(() => refusedAppStack(noPort)).toThrow('app "example": processes.web.port is required (the web process is attached to the load balancer)');
  });

  test('a log retention CloudWatch does not offer is refused', () => {
    expect(() => refusedAppStack({ ...exampleApp, logRetentionDays: 2 })).toThrow(/app "example": logRetentionDays 2 is not a CloudWatch Logs retention/);
  });

  test('an explicit listener priority out of range is refused', () => {
    expect(() => refusedAppStack(exampleApp, { listenerPriority: 0 })).toThrow('app "example": listenerPriority must be an integer from 1 to 50000, got 0');
  });
});

describe('buildAppSettings', () => {
  const sources: AppSettingsSources = {
    prefix: 'slipway',
    app: exampleApp,
    region: 'eu-west-1',
    table: 'Slipway-App-example-PipelinesTableB1BA895D-1A2B3C4D5E6F',
    controlPlane: 'production',
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
      family: 'slipway-example--web',
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
    expect(s.processes.worker).toMatchObject({ family: 'slipway-example--worker', cpu: '256', memory: '512', environment: [], desiredCount: 1, autoscaling: { min: 1, max: 4, cpuTarget: 60 } });
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

  test('config secrets (e.g. DATABASE_URL) go to every process; none by default', () => {
    const valueFrom = 'arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/apps/example/config/DATABASE_URL';
    const s = buildAppSettings({ ...sources, secrets: [{ name: 'DATABASE_URL', valueFrom }] });
    expect(Object.values(s.processes).map((p) => p.secrets)).toEqual([[{ name: 'DATABASE_URL', valueFrom }], [{ name: 'DATABASE_URL', valueFrom }]]);
    expect(buildAppSettings(sources).processes.web.secrets).toEqual([]);
  });

  test('an app without a release command has no release phase; private subnets get no public IP', () => {
    const s = buildAppSettings({ ...sources, app: { ...exampleApp, releaseCommand: undefined }, assignPublicIp: false });
    expect(s.release).toBeUndefined();
    expect(s.network.assignPublicIp).toBe('DISABLED');
  });

  test('the settings name the app\'s table, its control plane and its config debounce', () => {
    expect(buildAppSettings({ ...sources, app: { ...exampleApp, configDebounceSeconds: 5 } })).toMatchObject({ table: sources.table, controlPlane: 'production', configDebounceSeconds: 5 });
  });

  test('size estimate: every token counts as 128 characters, so what CloudFormation fills in stays under the estimate', () => {
    const token = Token.asString({ Ref: 'Anything' });
    const withTokens = buildAppSettings({ ...sources, table: token, executionRoleArn: token, taskRoleArn: token });
    const plain = buildAppSettings({ ...sources, table: 't', executionRoleArn: 'e', taskRoleArn: 'r' });
    // table once, two roles per process (2 processes): 5 tokens of 128 characters replace 5 one-character strings.
    expect(settingsSizeEstimate(withTokens) - settingsSizeEstimate(plain)).toBe(5 * 127);
  });

  test('the example apps fit the standard tier (4 KB) even with every token at 128 characters', () => {
    const token = Token.asString({ Ref: 'Anything' });
    for (const app of config.apps) {
      const s = buildAppSettings({ ...sources, app, table: token, cluster: token, imageRepositoryUri: token, codeBuildProject: token, subnets: [token, token, token], securityGroups: [token], executionRoleArn: token, taskRoleArn: token, webTargetGroupArn: token, secrets: [{ name: 'DATABASE_URL', valueFrom: token }] });
      expect({ app: app.name, fits: settingsSizeEstimate(s) <= STANDARD_PARAMETER_MAX_BYTES }).toEqual({ app: app.name, fits: true });
      expect(settingsTier(app.name, s)).toBe('Standard');
    }
  });

  test('settings above 4 KB take the advanced tier; above 8 KB the app is refused with what to change', () => {
    const processes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { ...exampleApp.processes.worker, command: ['x'.repeat(200)] }]));
    const big = buildAppSettings({ ...sources, app: { ...exampleApp, releaseCommand: undefined, processes: processes(8) } });
    expect(settingsTier('big', big)).toBe('Advanced');
    const huge = buildAppSettings({ ...sources, app: { ...exampleApp, releaseCommand: undefined, processes: processes(20) } });
    expect(() => settingsTier('huge', huge)).toThrow(/^app "huge": its settings would take up to \d+ bytes, more than Parameter Store's 8192: fewer process types, or shorter commands$/);
  });
});

describe('apps add nothing to the shared stacks', () => {
  type ClusterTemplate = { Resources: Record<string, unknown>; Outputs?: Record<string, unknown> };
  const clusterTemplates = new Map<string, ClusterTemplate>();

  /** The cluster stack's template with the given apps of the example config deployed on it (each set synthesized once in this file). */
  function sharedTemplates(apps: AppConfig[]): ClusterTemplate {
    const key = JSON.stringify(apps);
    if (!clusterTemplates.has(key)) clusterTemplates.set(key, synthesizeCluster(apps));
    return clusterTemplates.get(key)!;
  }

  function synthesizeCluster(apps: AppConfig[]): ClusterTemplate {
    const cdkApp = stackTestApp();
    const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
    for (const app of apps) new AppStack(cdkApp, `Slipway-App-${app.name}`, { prefix: config.prefix, app: { ...app, database: undefined }, cluster });
    return Template.fromStack(cluster).toJSON() as ClusterTemplate;
  }
  const docs = config.apps.find((a) => a.name === 'docs')!;
  const other: AppConfig = { ...docs, name: 'other', hostname: 'other.apps.example.com' };

  test('a second app using the database changes nothing in the database stack: no security-group rule, no export', () => {
    const databaseTemplate = (apps: AppConfig[]) => {
      const cdkApp = stackTestApp();
      const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
      const db = new DatabaseStack(cdkApp, 'Slipway-Database-main', { prefix: config.prefix, config: config.databases[0], cluster });
      for (const app of apps) new AppStack(cdkApp, `Slipway-App-${app.name}`, { prefix: config.prefix, app, cluster, database: db.endpoint });
      return Template.fromStack(db).toJSON();
    };
    const second: AppConfig = { ...exampleApp, name: 'shop', hostname: 'shop.apps.example.com' };
    // With the example app alone, it is the database stack every suite reads (test/helpers/example-stacks.ts).
    expect(databaseTemplate([exampleApp, second])).toEqual(synthesizeApp().database!.toJSON());
  });

  test('a second app changes nothing in the cluster stack: not a resource, not an export', () => {
    expect(sharedTemplates([docs, other])).toEqual(sharedTemplates([docs]));
  });

  test('the first app adds only exports of the cluster (VPC and subnets, cluster ARN, load balancer group and listener), no resource, no security-group rule', () => {
    const none = sharedTemplates([]);
    const one = sharedTemplates([docs]);
    expect(one.Resources).toEqual(none.Resources);
    // The outputs the app adds (the cluster's own, e.g. LoadBalancerDnsName, are there without apps).
    const own = new Set(Object.keys(none.Outputs ?? {}));
    const exported = Object.entries(one.Outputs ?? {}).filter(([id]) => !own.has(id)).map(([, o]) => JSON.stringify((o as { Value: unknown }).Value));
    expect(exported.length).toBeGreaterThan(0);
    for (const value of exported) expect(value).toMatch(/"Vpc[0-9A-F]{8}"|Vpc(Public|Private)Subnet|"Cluster[0-9A-F]{8}"|LoadBalancerSecurityGroup|HttpsListener|HttpListener/);
  });
});
