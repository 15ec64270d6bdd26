import { PIPELINE_FUNCTIONS, STATE_MACHINES } from '../../lib/pipeline-contract';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { appSettingsSchema } from '../../functions/shared/settings';
import { loadConfig, type AppConfig, type SlipwayConfig } from '../../lib/config';
import { buildAppSettings, type AppSettingsSources } from '../../lib/app-settings';
import { AppStack, listenerPriority } from '../../lib/stacks/app-stack';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { actionsOf, PIPELINE_STAR_ACTIONS, resourcesOf, unexpectedStarActions, type Statement } from './iam';
import { DatabaseStack } from '../../lib/stacks/database-stack';


const config: SlipwayConfig = loadConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
const exampleApp = config.apps.find((a) => a.name === 'example')!;

const render = (v: unknown): string => JSON.stringify(v).replace(/\\"/g, '"');

function synth(app: AppConfig = exampleApp, extra: Partial<{ listenerPriority: number }> = {}) {
  // No esbuild in stack tests: NodejsFunction skips bundling for stacks not listed here.
  const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
  // As bin/slipway-app.ts does: the database stack the app's config names.
  const dbConfig = config.databases.find((d) => d.name === app.database);
  const databaseStack = dbConfig ? new DatabaseStack(cdkApp, `Slipway-Database-${dbConfig.name}`, { prefix: config.prefix, config: dbConfig, cluster }) : undefined;
  const stack = new AppStack(cdkApp, `Slipway-App-${app.name}`, { prefix: config.prefix, app, cluster, ...(databaseStack ? { database: databaseStack.endpoint } : {}), ...extra });
  return { stack, template: Template.fromStack(stack), cdkApp, databaseStack };
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
  // A role whose statements outgrow its inline policy's size limit gets CDK's overflow managed policies too.
  return [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))]
    .filter((p) => ((p.Properties.Roles ?? []) as { Ref: string }[]).some((r) => r.Ref === roles[0]))
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
    const sgId = Object.keys(template.findResources('AWS::EC2::SecurityGroup'))[0];
    // (The other ingress rule in this stack is the database cluster's, from this group: see "app database".)
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => JSON.stringify(r.Properties.GroupId).includes(sgId));
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
    expect(machines).toHaveLength(STATE_MACHINES.length);
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

  test('no unused EventBridge role: the only roles trusted by events.amazonaws.com are the rules\' own targets roles; scheduled tasks run as the scheduler role', () => {
    const roles = template.findResources('AWS::IAM::Role');
    const trusted = Object.keys(roles).filter((id) => JSON.stringify(roles[id].Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'));
    expect(trusted.filter((id) => !/StateMachineEventsRole/.test(id))).toEqual([]);
    expect(Object.keys(roles).filter((id) => /^EventsRole/.test(id))).toEqual([]);
    expect(Object.keys(roles).filter((id) => JSON.stringify(roles[id].Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))).toHaveLength(1);
  });

  test('user role: read logs, start builds of this project, redrive this app\'s executions, read its config', () => {
    const st = statementsOf(template, 'UserRole');
    const actions = st.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['logs:FilterLogEvents', 'codebuild:StartBuild', 'states:RedriveExecution', 'ssm:GetParametersByPath', 'dynamodb:GetItem']));
    expect(actions).not.toEqual(expect.arrayContaining(['ssm:PutParameter']));
    const redrive = st.find((s) => actionsOf(s).includes('states:RedriveExecution'))!;
    expect(resourcesOf(redrive).map(render)).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:execution:slipway-example-${n}:*`)));
    const build = st.find((s) => actionsOf(s).includes('codebuild:StartBuild'))!;
    expect(build.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Build/), 'Arn'] });
  });

  test('management and user roles may read the pipelines\' definitions and find and read their functions\' logs (slipway status)', () => {
    for (const role of ['ManagementRole', 'UserRole']) {
      const st = statementsOf(template, role);
      const describe = st.find((s) => s.Sid === 'ReadPipelineDefinitions')!;
      expect(actionsOf(describe)).toEqual(['states:DescribeStateMachine']);
      expect(resourcesOf(describe).map(render)).toEqual(STATE_MACHINES.map((n) => expect.stringContaining(`:stateMachine:slipway-example-${n}`)));
      const config = st.find((s) => s.Sid === 'FindFunctionLogs')!;
      expect(actionsOf(config)).toEqual(['lambda:GetFunctionConfiguration']);
      expect(resourcesOf(config)).toHaveLength(Object.keys(PIPELINE_FUNCTIONS).length);
      expect(resourcesOf(config).every((r) => render(r).includes('"Fn::GetAtt"'))).toBe(true);
      const readsFunctionLogs = st.filter((s) => actionsOf(s).includes('logs:FilterLogEvents')).flatMap(resourcesOf).map(render);
      const handlers = ['ParseBuildEvent', 'RegisterTaskDefinitions', 'CheckReleaseTask', 'UpdateService', 'DeploymentEvents', 'ExecutionStatus'];
      expect(handlers.filter((h) => !readsFunctionLogs.some((r) => r.includes(`Pipelines${h}LogGroup`)))).toEqual([]);
    }
  });

  test('no role statement uses Resource "*" except for actions without resource-level permissions', () => {
    // The pipelines' actions, and ECR's token (no resource-level permissions) for the CodeBuild role.
    expect(unexpectedStarActions(template, [...PIPELINE_STAR_ACTIONS, 'ecr:GetAuthorizationToken'])).toEqual([]);
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

describe('AppStack with a database (the example app names database "main")', () => {
  let template: Template;
  let cdkApp: App;
  let databaseStack: DatabaseStack;

  beforeAll(() => {
    ({ template, cdkApp, databaseStack } = synth() as { template: Template; cdkApp: App; databaseStack: DatabaseStack });
  });

  const importOf = (value: unknown): string => (value as { 'Fn::ImportValue': string })['Fn::ImportValue'];

  test('asks the database stack\'s manager for database and role "example", kept when the stack is deleted', () => {
    const resources = Object.values(template.findResources('Custom::SlipwayAppDatabase'));
    expect(resources).toHaveLength(1);
    expect(resources[0].Properties).toMatchObject({ Database: 'example', Owner: 'example', IamAuth: 'true', RemovalPolicy: 'retain' });
    expect(importOf(resources[0].Properties.ServiceToken)).toMatch(/^Slipway-Database-main:.*ManagerProviderframeworkonEvent/);
  });

  test('databaseRemovalPolicy "destroy" in the config makes the delete drop them', () => {
    const { template: destroying } = synth({ ...exampleApp, databaseRemovalPolicy: 'destroy' });
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
    const call = sdkCall(Object.values(template.findResources('Custom::AWS'))[0].Properties.Create);
    const settings = JSON.parse(call.parameters.Item.settings.S);
    for (const process of ['web', 'worker']) {
      expect(settings.processes[process].secrets).toEqual([{ name: 'DATABASE_URL', valueFrom: 'arn:<token>:ssm:<token>:<token>:parameter<token>' }]);
    }
    // The token after "parameter" is the parameter's name (/slipway/apps/example/config/DATABASE_URL): under
    // the config folder the execution role reads (ReadConfig).
    const parameterId = Object.keys(template.findResources('AWS::SSM::Parameter', { Properties: { Name: '/slipway/apps/example/config/DATABASE_URL' } }))[0];
    const parts = Object.values(template.findResources('Custom::AWS'))[0].Properties.Create['Fn::Join'][1] as unknown[];
    expect(parts).toContainEqual({ Ref: parameterId });
    const ssm = statementsOf(template, 'ExecutionRole').find((s) => actionsOf(s).includes('ssm:GetParameters'))!;
    expect(render(ssm.Resource)).toContain(':parameter/slipway/apps/example/config/*');
  });

  test('the task role may rds-db:connect as the app\'s role on this cluster only', () => {
    const statements = statementsOf(template, 'TaskRole');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'rds-db:connect' });
    const [, parts] = (statements[0].Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    expect(parts[parts.length - 1]).toBe('/example');
    expect(parts[parts.length - 3]).toBe(':dbuser:');
    expect(importOf(parts[parts.length - 2])).toMatch(/^Slipway-Database-main:.*DBClusterResourceId/);
  });

  test('the cluster admits the app\'s security group on its port, by a rule in the app stack', () => {
    const sgId = Object.keys(template.findResources('AWS::EC2::SecurityGroup'))[0];
    const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => importOf(r.Properties.GroupId)?.startsWith('Slipway-Database-main:'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toMatchObject({ IpProtocol: 'tcp', SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] } });
    expect(importOf(rules[0].Properties.GroupId)).toMatch(/ClusterSecurityGroup/);
    expect(importOf(rules[0].Properties.FromPort)).toMatch(/EndpointPort/);
    expect(rules[0].Properties.ToPort).toEqual(rules[0].Properties.FromPort);
  });

  test('references go one way (app stack -> database stack), so the whole app synthesizes offline', () => {
    const assembly = cdkApp.synth();
    const imports = JSON.stringify(assembly.getStackByName(databaseStack.stackName).template).match(/"Fn::ImportValue":"[^":]+/g) ?? [];
    expect([...new Set(imports)]).toEqual(['"Fn::ImportValue":"Slipway-Cluster-production']);
    expect(assembly.getStackByName('Slipway-App-example').dependencies.map((d) => d.id)).toEqual(expect.arrayContaining(['Slipway-Database-main']));
  });

  test('cdk-nag AwsSolutions: the database stack stays clean with an app attached', () => {
    const report = new AwsSolutionsChecks(databaseStack).validateScope(databaseStack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('an app without a database gets none of it', () => {
    const { template: plain } = synth({ ...exampleApp, database: undefined });
    plain.resourceCountIs('Custom::SlipwayAppDatabase', 0);
    expect(Object.values(plain.findResources('AWS::SSM::Parameter'))).toEqual([]);
    expect(JSON.stringify(plain.toJSON())).not.toContain('rds-db:connect');
    const settings = JSON.parse(sdkCall(Object.values(plain.findResources('Custom::AWS'))[0].Properties.Create).parameters.Item.settings.S);
    expect(settings.processes.web.secrets).toEqual([]);
  });

  test('a config naming a database without the database stack passed is refused', () => {
    const cdkApp2 = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const cluster = new ClusterStack(cdkApp2, 'C', { prefix: config.prefix, config: config.clusters[0] });
    expect(() => new AppStack(cdkApp2, 'A', { prefix: config.prefix, app: exampleApp, cluster })).toThrow(
      'app "example": the config names database "main", but no database stack endpoint was passed (AppStackProps.database)',
    );
  });

  test('a database stack passed for an app whose config names another (or none) is refused', () => {
    expect(() => new AppStack(cdkApp, 'Slipway-App-docs2', { prefix: config.prefix, app: { ...exampleApp, name: 'docs2', database: undefined }, cluster: cdkApp.node.findChild('Slipway-Cluster-production') as ClusterStack, database: databaseStack.endpoint })).toThrow(
      'app "docs2": a database stack endpoint ("main") was passed, but the config names no database',
    );
  });

  test('an app whose database name would be reserved or the admin user is refused at synth', () => {
    expect(() => synth({ ...exampleApp, name: 'postgres' })).toThrow('AppDatabase app "postgres": its database would be named "postgres", but database name "postgres" is reserved by PostgreSQL or RDS; choose another name; rename the app');
    expect(() => synth({ ...exampleApp, name: 'rds-tools' })).toThrow(/AppDatabase app "rds-tools": its database would be named "rds_tools", but .* starts with "rds_"/);
    expect(() => synth({ ...exampleApp, name: 'slipway-admin' })).toThrow('AppDatabase app "slipway-admin": its role would be "slipway_admin", the cluster\'s admin user; rename the app');
  });
});

describe('AppStack variants', () => {
  test('an app without a web process gets no target group or listener rule', () => {
    const worker: AppConfig = { ...exampleApp, name: 'jobs', releaseCommand: undefined, processes: { worker: exampleApp.processes.worker }, database: undefined };
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
});
