import { ArnFormat, Duration, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { appParameterPath, configParameterPath, schedulesParameterName, settingsParameterName } from '../../functions/shared/app-parameters';
import { WAITER_TTL_ATTRIBUTE } from '../../functions/shared/waiters';
import { buildAppSettings, WEB_PROCESS } from '../app-settings';
import { settingsTier } from '../settings-tier';
import type { AppConfig } from '../config';
import { AppMonitoring } from '../constructs/app-monitoring';
import { AppDatabase, type DatabaseEndpoint } from '../constructs/app-database';
import { alertsShard, alertsTopicName } from '../alerts';
import { acknowledgeWildcards, APP_TAG, CONTROL_PLANE_BUILD_VARIABLE, CONTROL_PLANE_TAG, controlPlaneBuildMarker, controlPlaneFunctionName } from '../constructs/control-plane';
import { PIPELINE_FUNCTIONS, scheduleGroupName, STATE_MACHINES, stateMachineName, taskDefinitionFamily, type PipelineFunctionKey, type StateMachineName } from '../pipeline-contract';
import type { ClusterResources } from './cluster-resources';

/** The pipelines that build executions go through and that name their executions `<app>-<build>-<pipeline>` (release and deploy); the others are started by EventBridge with names it chooses. */
/** What `Table.grantReadData` grants, on a table without indexes or streams. */
const TABLE_READ_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:Query', 'dynamodb:Scan'];
/** What `Table.grantWriteData` adds. */
const TABLE_WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

const APP_NAMED_PIPELINES: readonly StateMachineName[] = ['release', 'deploy'];

/** The retention periods CloudWatch Logs accepts, in days. */
const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A listener-rule priority derived from the app's name, so adding or removing apps never renumbers others. */
export function listenerPriority(appName: string): number {
  let hash = 0x811c9dc5;
  for (const ch of appName) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 49_999) + 1;
}

/** The BuildSpec: log in to ECR, build, push `build-<number>` and `<commit>` tags, record metadata. */
export function appBuildSpec(): Record<string, unknown> {
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      pre_build: {
        commands: [
          'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
          'IMAGE_TAG="build-$CODEBUILD_BUILD_NUMBER"',
          'COMMIT_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"',
        ],
      },
      build: {
        commands: [
          'docker build --tag "$REPOSITORY_URI:$IMAGE_TAG" --tag "$REPOSITORY_URI:$COMMIT_TAG" .',
          'docker push "$REPOSITORY_URI:$IMAGE_TAG"',
          'docker push "$REPOSITORY_URI:$COMMIT_TAG"',
        ],
      },
      post_build: {
        commands: [
          'printf \'{"build":"%s","commit":"%s","image":"%s"}\\n\' "$CODEBUILD_BUILD_NUMBER" "$COMMIT_TAG" "$REPOSITORY_URI:$IMAGE_TAG" > build.json',
        ],
      },
    },
    artifacts: { files: ['build.json'] },
  };
}

export interface AppStackProps extends StackProps {
  /** Prefix of every name (config `prefix`). */
  readonly prefix: string;
  /** The app's validated config. */
  readonly app: AppConfig;
  /** The cluster the app runs on (a ClusterStack), whose control plane serves the app. */
  readonly cluster: ClusterResources;
  /**
   * Priority of the `web` listener rule on the cluster's listener (unique per listener).
   * @default - derived from the app's name ({@link listenerPriority})
   */
  readonly listenerPriority?: number;
  /**
   * The database stack named by the app's `database` key (its `endpoint`): the app gets its own
   * database and role there ({@link AppDatabase}). Required exactly when the config names a database.
   */
  readonly database?: DatabaseEndpoint;
}

/**
 * What is one app's own (issue 16): the build, the image repository, the load-balancer route, logs, the
 * task and execution roles, the app's table of builds and releases, its schedule group, its settings (the
 * app's entry in its cluster's shared control plane, `/<prefix>/apps/<app>/settings`), its alarms, the
 * operator policies, and, when the config names a database, the app's own database and role in it. The
 * state machines, functions and rules that build, release and deploy it are its cluster's
 * ({@link ../constructs/control-plane ControlPlane}); the ECS services and task definitions are owned
 * by those pipelines (DESIGN.md, "Who owns what"). Three IAM roles (task, execution, CodeBuild), no
 * EventBridge rule, no KMS key, no Lambda function.
 */
export class AppStack extends Stack {
  public readonly repository: ecr.Repository;
  public readonly project: codebuild.Project;
  public readonly artifactBucket: s3.Bucket;
  public readonly logGroup: logs.LogGroup;
  public readonly buildLogGroup: logs.LogGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;
  /**
   * The app's table (builds, releases, claims): at the construct path `Pipelines/Table` of the versions
   * with per-app pipelines, so its logical ID, and the table, stay the same when an app moves onto the
   * shared control plane.
   */
  public readonly table: dynamodb.Table;
  /** The app's EventBridge Scheduler group `<prefix>-<app>` (at its former path `Pipelines/ScheduleGroup`). */
  public readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The app's settings: `/<prefix>/apps/<app>/settings`. */
  public readonly settings: ssm.StringParameter;
  /** `<prefix>-<app>-operate`: what the CLI's operator commands need on this app (attach it to an operator's principal). */
  public readonly operatePolicy: iam.ManagedPolicy;
  /** `<prefix>-<app>-develop`: the developer commands (read, build, redrive), to attach to a developer's principal. */
  public readonly developPolicy: iam.ManagedPolicy;
  /** The app's alarms, alert subscriptions and optional dashboard (docs/monitoring.md). */
  public readonly monitoring: AppMonitoring;
  /** The app's own database and role, when the config names a database. */
  public readonly database?: AppDatabase;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { prefix, app, cluster } = props;
    this.validate(props);
    const web = app.processes[WEB_PROCESS];
    const retention = app.logRetentionDays as logs.RetentionDays;
    const appPath = appParameterPath(prefix, app.name);
    const configPath = configParameterPath(appPath);
    const controlPlane = cluster.name;

    // Logs
    this.logGroup = new logs.LogGroup(this, 'AppLogGroup', { logGroupName: `/${prefix}/apps/${app.name}`, retention, removalPolicy: RemovalPolicy.RETAIN });
    this.buildLogGroup = new logs.LogGroup(this, 'BuildLogGroup', { logGroupName: `/${prefix}/apps/${app.name}/builds`, retention, removalPolicy: RemovalPolicy.RETAIN });

    // Image repository
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: `${prefix}/${app.name}`,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { rulePriority: 1, description: 'Expire untagged images after 7 days', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) },
        // Rollback needs recent builds: keep the last 100 (a running revision is always among them in practice).
        { rulePriority: 2, description: 'Keep the last 100 build images', tagStatus: ecr.TagStatus.TAGGED, tagPrefixList: ['build-'], maxImageCount: 100 },
      ],
    });

    // Build artifacts and metadata
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the artifact bucket\'s server access logs; logging it to itself would log its own log deliveries.',
    });
    this.artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Build: the project is `<prefix>-<app>`, the name the control plane's build rule matches and derives the app from.
    this.project = new codebuild.Project(this, 'Build', {
      projectName: `${prefix}-${app.name}`,
      description: `Builds ${app.repository.owner}/${app.repository.name} (${app.repository.branch}) into ${prefix}/${app.name}`,
      source: codebuild.Source.gitHub({
        owner: app.repository.owner,
        repo: app.repository.name,
        branchOrRef: app.repository.branch,
        webhook: true,
        // Anchored: CodeBuild patterns are regular expressions, and `refs/heads/main` alone also matches `refs/heads/main-old`.
        webhookFilters: [codebuild.FilterGroup.inEventOf(codebuild.EventAction.PUSH).andHeadRefIs(`^refs/heads/${escapeRegExp(app.repository.branch)}$`)],
      }),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.SMALL,
        privileged: true,
        environmentVariables: {
          REPOSITORY_URI: { value: this.repository.repositoryUri },
          // Which control plane's build rule starts on this project's builds (docs/control-plane.md).
          [CONTROL_PLANE_BUILD_VARIABLE]: { value: controlPlaneBuildMarker(prefix, controlPlane) },
        },
      },
      buildSpec: codebuild.BuildSpec.fromObject(appBuildSpec()),
      artifacts: codebuild.Artifacts.s3({ bucket: this.artifactBucket, includeBuildId: true, packageZip: false, name: 'metadata' }),
      logging: { cloudWatch: { logGroup: this.buildLogGroup } },
      timeout: Duration.minutes(60),
    });
    this.repository.grantPullPush(this.project);
    Validations.of(this.project).acknowledge(
      { id: 'AwsSolutions-CB3', reason: 'Privileged mode is required to run the Docker daemon that builds the app image.' },
      {
        id: 'AwsSolutions-CB4',
        reason: 'Build artifacts are only a small metadata file, encrypted at rest by the artifact bucket\'s S3-managed key; a customer-managed KMS key per app would add cost without changing who can read them (the bucket is private, SSL-only).',
      },
    );

    // Network. Only an ingress rule on the app's own group: the load balancer's group allows all outbound
    // (ClusterStack), so no egress rule is added to the shared group per app (60 rules per group).
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: `${prefix} app ${app.name}: tasks (inbound only from the load balancer)`,
      allowAllOutbound: true,
    });
    if (web) {
      this.securityGroup.addIngressRule(cluster.loadBalancerSecurityGroup, ec2.Port.tcp(web.port!), 'load balancer to the web process');
      this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'WebTargetGroup', {
        vpc: cluster.vpc,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: web.port,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: { path: web.healthCheckPath, healthyHttpCodes: '200-399', interval: Duration.seconds(15) },
      });
      const hostname = app.hostname ?? (cluster.domainName ? `${app.name}.${cluster.domainName}` : `${app.name}.*`);
      new elbv2.ApplicationListenerRule(this, 'WebListenerRule', {
        listener: cluster.listener,
        priority: props.listenerPriority ?? listenerPriority(app.name),
        conditions: [elbv2.ListenerCondition.hostHeaders([hostname])],
        action: elbv2.ListenerAction.forward([this.targetGroup]),
      });
    }

    // Roles: the tasks' two, tagged so that the control plane may pass them to ECS (and no other roles).
    const stack = Stack.of(this);
    const parameterArn = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    const configParameters = parameterArn(`${configPath}/*`);
    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ecs', resource: '*' }) },
      },
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', { assumedBy: ecsTasks, description: `${prefix} app ${app.name}: ECS task execution` });
    this.repository.grantPull(this.executionRole);
    this.logGroup.grantWrite(this.executionRole);
    this.executionRole.addToPolicy(new iam.PolicyStatement({ sid: 'ReadConfig', actions: ['ssm:GetParameters'], resources: [configParameters] }));
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptConfig',
        actions: ['kms:Decrypt'],
        resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: {
          StringEquals: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com` },
          StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': configParameters },
        },
      }),
    );
    acknowledgeWildcards(
      this.executionRole,
      `The app's config parameters are created by operators under ${configPath}/ (names unknown at deploy time); their KMS key is the operator's choice, and kms:Decrypt is limited to SSM decrypting those parameters; ecr:GetAuthorizationToken supports no resource-level permissions.`,
    );
    this.taskRole = new iam.Role(this, 'TaskRole', { assumedBy: ecsTasks, description: `${prefix} app ${app.name}: the app's own AWS permissions (none by default)` });

    // The app's records: the same table, at the same path, as with per-app pipelines.
    const former = new Construct(this, 'Pipelines');
    this.table = new dynamodb.Table(former, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      // Waiters written there by earlier versions still expire; new ones live in the control table.
      timeToLiveAttribute: WAITER_TTL_ATTRIBUTE,
    });
    this.scheduleGroup = new scheduler.CfnScheduleGroup(former, 'ScheduleGroup', { name: scheduleGroupName(prefix, app.name) });
    for (const resource of [this.table, this.executionRole, this.taskRole]) {
      Tags.of(resource).add(CONTROL_PLANE_TAG, controlPlane);
      Tags.of(resource).add(APP_TAG, app.name);
    }

    // The app's own database: created with the stack, kept on update, dropped on delete only when the
    // config's databaseRemovalPolicy is "destroy". Tasks get DATABASE_URL from the app's config folder
    // (the execution role reads it, ReadConfig above) and log in with IAM auth tokens (the task role).
    const secrets: { name: string; valueFrom: string }[] = [];
    if (props.database) {
      this.database = new AppDatabase(this, 'Database', {
        prefix,
        app: app.name,
        database: props.database,
        removalPolicy: app.databaseRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
      this.database.grantConnect(this.taskRole);
      // The tasks join the database's clients group, which the cluster admits: no rule per app in a shared
      // group (DatabaseStack always has one; an endpoint without it gets a rule for this app).
      if (!props.database.clientSecurityGroup) this.database.allowConnectionsFrom(this.securityGroup, `${prefix} app ${app.name} to its database`);
      secrets.push({ name: 'DATABASE_URL', valueFrom: this.database.parameter.parameterArn });
    }

    // The settings: the app's entry in the control plane (a CloudFormation parameter, no custom resource).
    const settings = buildAppSettings({
      prefix,
      app,
      region: stack.region,
      table: this.table.tableName,
      controlPlane,
      // The ARN: ECS takes a name or an ARN, but EventBridge Scheduler's ECS targets need the ARN.
      cluster: cluster.cluster.clusterArn,
      imageRepositoryUri: this.repository.repositoryUri,
      codeBuildProject: this.project.projectName,
      subnets: cluster.vpc.selectSubnets(cluster.taskSubnets).subnetIds,
      securityGroups: [this.securityGroup.securityGroupId, ...(props.database?.clientSecurityGroup ? [props.database.clientSecurityGroup.securityGroupId] : [])],
      assignPublicIp: cluster.assignPublicIp,
      capacityProviderStrategy: cluster.capacityProviderStrategy,
      executionRoleArn: this.executionRole.roleArn,
      taskRoleArn: this.taskRole.roleArn,
      logGroup: this.logGroup.logGroupName,
      webTargetGroupArn: this.targetGroup?.targetGroupArn,
      secrets,
    });
    this.settings = new ssm.StringParameter(this, 'Settings', {
      parameterName: settingsParameterName(appPath),
      description: `Slipway app ${app.name}: settings read by the ${controlPlane} control plane`,
      stringValue: stack.toJsonString(settings),
      tier: settingsTier(app.name, settings) === 'Standard' ? ssm.ParameterTier.STANDARD : ssm.ParameterTier.ADVANCED,
    });

    // The app's shard of the cluster's alerts topics, by name (no export, no topic of its own).
    const alertsTopic = sns.Topic.fromTopicArn(this, 'AlertsTopic', stack.formatArn({ service: 'sns', resource: alertsTopicName(prefix, controlPlane, alertsShard(app.name)) }));
    this.monitoring = new AppMonitoring(this, 'Monitoring', {
      prefix,
      app,
      clusterName: cluster.cluster.clusterName,
      alertsTopic,
      targetGroup: this.targetGroup,
      scheduleGroupName: scheduleGroupName(prefix, app.name),
    });

    ({ operate: this.operatePolicy, develop: this.developPolicy } = this.operatorPolicies(props));
    this.monitoring.grantCli(this.operatePolicy, this.developPolicy);
    for (const policy of [this.operatePolicy, this.developPolicy]) {
      acknowledgeWildcards(
        policy,
        `Limited to this app: executions of the shared state machines named ${app.name}-* (and, read-only, the executions EventBridge names, of every app of the control plane), parameters under ${configPath}/, log streams of its log groups, its alarms ${prefix}-${app.name}-*; DescribeParameters and Application Auto Scaling support no resource-level permissions; task IDs are generated by ECS (cluster condition).`,
      );
    }
    acknowledgeWildcards(
      this.project.role as iam.Role,
      'CodeBuild\'s generated policy: ecr:GetAuthorizationToken supports no resource-level permissions; report groups are named <project>-*; log streams of the build log group and artifact objects are created per build.',
    );
  }

  private validate(props: AppStackProps): void {
    const { app } = props;
    const web = app.processes[WEB_PROCESS];
    if (web && web.port === undefined) {
      throw new Error(`app "${app.name}": processes.web.port is required (the web process is attached to the load balancer)`);
    }
    if (props.listenerPriority !== undefined && !web) {
      throw new Error(`app "${app.name}": listenerPriority is set but the app has no web process to route to`);
    }
    if (props.listenerPriority !== undefined && (!Number.isInteger(props.listenerPriority) || props.listenerPriority < 1 || props.listenerPriority > 50_000)) {
      throw new Error(`app "${app.name}": listenerPriority must be an integer from 1 to 50000, got ${props.listenerPriority}`);
    }
    if (!RETENTION_DAYS.has(app.logRetentionDays)) {
      throw new Error(`app "${app.name}": logRetentionDays ${app.logRetentionDays} is not a CloudWatch Logs retention (one of ${[...RETENTION_DAYS].join(', ')})`);
    }
    if (app.database !== undefined && props.database === undefined) {
      throw new Error(`app "${app.name}": the config names database "${app.database}", but no database stack endpoint was passed (AppStackProps.database)`);
    }
    if (props.database !== undefined && app.database !== props.database.name) {
      throw new Error(`app "${app.name}": a database stack endpoint ("${props.database.name}") was passed, but the config names ${app.database === undefined ? 'no database' : `database "${app.database}"`}`);
    }
    if (app.cluster !== props.cluster.name) {
      throw new Error(`app "${app.name}": the config puts it on cluster "${app.cluster}", but the cluster stack passed is "${props.cluster.name}"`);
    }
  }

  /**
   * The two customer-managed policies operators attach to their own principals (SSO permission sets,
   * groups, roles): no role per app. Each grants what lib/ops/permissions.ts lists for its commands, on
   * this app's resources; on the shared state machines, the executions named `<app>-*` (release, deploy)
   * and, read-only, every execution of the machines EventBridge starts (build, config-change, schedules:
   * EventBridge names them, without the app). See docs/control-plane.md.
   */
  private operatorPolicies(props: AppStackProps): { operate: iam.ManagedPolicy; develop: iam.ManagedPolicy } {
    const { prefix, app, cluster } = props;
    const stack = Stack.of(this);
    const controlPlane = cluster.name;
    const appPath = appParameterPath(prefix, app.name);
    const configPath = configParameterPath(appPath);
    const parameterArn = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    const states = (resource: string, name: string) => stack.formatArn({ service: 'states', resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const stateMachineArns = STATE_MACHINES.map((p) => states('stateMachine', stateMachineName(prefix, controlPlane, p)));
    const appExecutions = APP_NAMED_PIPELINES.map((p) => states('execution', `${stateMachineName(prefix, controlPlane, p)}:${app.name}-*`));
    const sharedExecutions = STATE_MACHINES.filter((p) => !APP_NAMED_PIPELINES.includes(p)).map((p) => states('execution', `${stateMachineName(prefix, controlPlane, p)}:*`));
    const functionNames = (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((f) => controlPlaneFunctionName(prefix, controlPlane, f));
    const functionArns = functionNames.map((n) => stack.formatArn({ service: 'lambda', resource: 'function', resourceName: n, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    const functionLogGroups = functionNames.map((n) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/lambda/${n}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    const appParameters = [parameterArn(configPath), parameterArn(`${configPath}/*`), parameterArn(schedulesParameterName(appPath))];
    const project = this.project.projectArn;

    const common = (): iam.PolicyStatement[] => [
      // Finding the app: its settings (table, control plane), or the build state machine's definition.
      new iam.PolicyStatement({ sid: 'ReadSettings', actions: ['ssm:GetParameter'], resources: [parameterArn(settingsParameterName(appPath))] }),
      new iam.PolicyStatement({ sid: 'ReadPipelines', actions: ['states:DescribeStateMachine', 'states:ListExecutions'], resources: stateMachineArns }),
      new iam.PolicyStatement({ sid: 'ReadAppExecutions', actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resources: [...appExecutions, ...sharedExecutions] }),
      new iam.PolicyStatement({ sid: 'StartBuilds', actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject'], resources: [project] }),
      new iam.PolicyStatement({ sid: 'FindFunctionLogs', actions: ['lambda:GetFunctionConfiguration'], resources: functionArns }),
      new iam.PolicyStatement({
        sid: 'ReadLogs',
        actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:GetLogRecord', 'logs:GetQueryResults', 'logs:StartQuery', 'logs:StopQuery'],
        resources: [this.logGroup.logGroupArn, this.buildLogGroup.logGroupArn, ...functionLogGroups],
      }),
      new iam.PolicyStatement({ sid: 'ListConfigKeys', actions: ['ssm:DescribeParameters'], resources: ['*'] }),
    ];

    const develop = new iam.ManagedPolicy(this, 'DevelopPolicy', {
      managedPolicyName: `${prefix}-${app.name}-develop`,
      description: `Slipway app ${app.name}: developer commands (read, build, redrive the app's executions, read its config)`,
      statements: [
        ...common(),
        new iam.PolicyStatement({ sid: 'RedriveAppExecutions', actions: ['states:RedriveExecution'], resources: appExecutions }),
        new iam.PolicyStatement({ sid: 'ReadConfig', actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], resources: appParameters }),
      ],
    });
    develop.addStatements(new iam.PolicyStatement({ sid: 'ReadRecords', actions: TABLE_READ_ACTIONS, resources: [this.table.tableArn] }));

    const clusterCondition = { ArnEquals: { 'ecs:cluster': cluster.cluster.clusterArn } };
    const clusterTasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' });
    // `slipway logs --build N`: which image each task that logged ran (read-only, tasks of the app's cluster).
    develop.addStatements(new iam.PolicyStatement({ sid: 'DescribeClusterTasks', actions: ['ecs:DescribeTasks'], resources: [clusterTasks], conditions: clusterCondition }));
    const operate = new iam.ManagedPolicy(this, 'OperatePolicy', {
      managedPolicyName: `${prefix}-${app.name}-operate`,
      description: `Slipway app ${app.name}: operator commands (deploy, rollback, redrive, config, schedules, run, scale)`,
      statements: [
        ...common(),
        // The shared deploy state machine: IAM cannot look into the execution's input, see docs/control-plane.md.
        new iam.PolicyStatement({ sid: 'StartDeploys', actions: ['states:StartExecution'], resources: [states('stateMachine', stateMachineName(prefix, controlPlane, 'deploy'))] }),
        new iam.PolicyStatement({ sid: 'ManageAppExecutions', actions: ['states:RedriveExecution', 'states:StopExecution'], resources: appExecutions }),
        new iam.PolicyStatement({
          sid: 'ManageConfig',
          actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters'],
          resources: appParameters,
        }),
        // `slipway run`: a one-off task on any revision of the app's own families, in its cluster (lib/ops/run-task.ts).
        new iam.PolicyStatement({
          sid: 'RunOneOffTasks',
          actions: ['ecs:RunTask'],
          resources: Object.keys(app.processes).map((p) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinitionFamily(prefix, app.name, p)}:*` })),
          conditions: clusterCondition,
        }),
        new iam.PolicyStatement({ sid: 'FollowOneOffTasks', actions: ['ecs:DescribeTasks'], resources: [clusterTasks], conditions: clusterCondition }),
        // Ctrl-C in `slipway run` stops the task it started: only tasks of this app (the task definition's
        // slipway:app tag, propagated to the task) in its cluster. ECS StopTask takes ecs:cluster and
        // aws:ResourceTag conditions (Service Authorization Reference, Amazon ECS, StopTask).
        new iam.PolicyStatement({
          sid: 'StopOneOffTasks',
          actions: ['ecs:StopTask'],
          resources: [clusterTasks],
          conditions: { ...clusterCondition, StringEquals: { [`aws:ResourceTag/${APP_TAG}`]: app.name } },
        }),
        // Tag-on-create is authorized by ecs:CreateAction; ecs:cluster is not in that request's context.
        new iam.PolicyStatement({ sid: 'TagOneOffTasks', actions: ['ecs:TagResource'], resources: [clusterTasks], conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } } }),
        new iam.PolicyStatement({
          sid: 'PassTaskRoles',
          actions: ['iam:PassRole'],
          resources: [this.executionRole.roleArn, this.taskRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }),
      ],
    });
    operate.addStatements(new iam.PolicyStatement({ sid: 'ManageRecords', actions: [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], resources: [this.table.tableArn] }));
    return { operate, develop };
  }
}
