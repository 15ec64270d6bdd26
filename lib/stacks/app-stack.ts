import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { appParameterPath, schedulesParameterName } from '../../functions/shared/app-parameters';
import { SETTINGS_KEY } from '../../functions/shared/settings';
import { buildAppSettings, WEB_PROCESS } from '../app-settings';
import type { AppConfig } from '../config';
import { AppMonitoring } from '../constructs/app-monitoring';
import { AppDatabase, type DatabaseEndpoint } from '../constructs/app-database';
import { acknowledgeWildcards, Pipelines } from '../constructs/pipelines';
import { scheduleGroupName, STATE_MACHINES, taskDefinitionFamily } from '../pipeline-contract';
import type { ClusterResources } from './cluster-resources';

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
  /** The cluster the app runs on (a ClusterStack). */
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
 * Everything one app needs in the account except its ECS services and task definitions, which its
 * pipelines own (DESIGN.md, "Who owns what"): the build, the image repository, the load-balancer
 * route, logs, roles, the settings record, and the pipelines; and, when the config names a database,
 * the app's own database and role in it ({@link AppDatabase}, its `DATABASE_URL` in the app's config).
 */
export class AppStack extends Stack {
  public readonly repository: ecr.Repository;
  public readonly project: codebuild.Project;
  public readonly artifactBucket: s3.Bucket;
  public readonly logGroup: logs.LogGroup;
  public readonly activityLogGroup: logs.LogGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;
  public readonly managementRole: iam.Role;
  public readonly userRole: iam.Role;
  public readonly pipelines: Pipelines;
  /** Alarm topic, alarms, dashboard and pipeline-failure rules (docs/monitoring.md). */
  public readonly monitoring: AppMonitoring;
  /** The app's own database and role, when the config names a database. */
  public readonly database?: AppDatabase;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { prefix, app, cluster } = props;
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
    const retention = app.logRetentionDays as logs.RetentionDays;
    const configPath = `/${prefix}/apps/${app.name}/config`;

    // Logs
    this.logGroup = new logs.LogGroup(this, 'AppLogGroup', { logGroupName: `/${prefix}/apps/${app.name}`, retention, removalPolicy: RemovalPolicy.RETAIN });
    this.activityLogGroup = new logs.LogGroup(this, 'ActivityLogGroup', {
      // Step Functions log delivery: a /aws/vendedlogs/ name keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${prefix}-${app.name}`,
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const buildLogGroup = new logs.LogGroup(this, 'BuildLogGroup', { logGroupName: `/${prefix}/apps/${app.name}/builds`, retention, removalPolicy: RemovalPolicy.RETAIN });

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

    // Build
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
        environmentVariables: { REPOSITORY_URI: { value: this.repository.repositoryUri } },
      },
      buildSpec: codebuild.BuildSpec.fromObject(appBuildSpec()),
      artifacts: codebuild.Artifacts.s3({ bucket: this.artifactBucket, includeBuildId: true, packageZip: false, name: 'metadata' }),
      logging: { cloudWatch: { logGroup: buildLogGroup } },
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

    // Network
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: `${prefix} app ${app.name}: tasks (inbound only from the load balancer)`,
      allowAllOutbound: true,
    });
    if (web) {
      this.securityGroup.connections.allowFrom(cluster.loadBalancerSecurityGroup, ec2.Port.tcp(web.port!), 'load balancer to the web process');
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

    // Roles
    const stack = Stack.of(this);
    const configParameters = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${configPath.slice(1)}/*` });
    const configPathArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: configPath.slice(1) });
    // The schedules list `slipway schedules` reads and writes (functions/shared/app-parameters.ts).
    const schedulesParameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: schedulesParameterName(appParameterPath(prefix, app.name)).slice(1) });
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

    const processes = Object.keys(app.processes);
    this.pipelines = new Pipelines(this, 'Pipelines', {
      prefix,
      appName: app.name,
      processes,
      cluster: cluster.cluster,
      codeBuildProjectName: this.project.projectName,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      activityLogGroup: this.activityLogGroup,
      configDebounceSeconds: app.configDebounceSeconds,
    });
    const table = this.pipelines.table;
    const stateMachineArns = STATE_MACHINES.map((sm) => this.pipelines.stateMachineArn(sm));
    const executionArns = STATE_MACHINES.map((sm) => this.pipelines.executionsArn(sm));
    const readLogs = (role: iam.Role) => [this.logGroup, this.activityLogGroup, buildLogGroup].forEach((g) => g.grantRead(role));
    const accountPrincipal = new iam.AccountRootPrincipal();

    // Management: what the CLI does on an operator's behalf (redeploy, rollback, config changes).
    this.managementRole = new iam.Role(this, 'ManagementRole', { assumedBy: accountPrincipal, description: `${prefix} app ${app.name}: pipeline management (CLI)` });
    this.managementRole.addToPolicy(new iam.PolicyStatement({ sid: 'StartPipelines', actions: ['states:StartExecution', 'states:ListExecutions'], resources: stateMachineArns }));
    this.managementRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageExecutions',
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution', 'states:StopExecution'],
        resources: executionArns,
      }),
    );
    this.managementRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageConfig',
        actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:PutParameter', 'ssm:DeleteParameter', 'ssm:DeleteParameters'],
        resources: [configPathArn, configParameters, schedulesParameterArn],
      }),
    );
    table.grantReadWriteData(this.managementRole);
    this.managementRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'StartBuilds', actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject'], resources: [this.project.projectArn] }),
    );
    readLogs(this.managementRole);

    // User: read logs, start builds, redrive the app's executions, read the app's config.
    this.userRole = new iam.Role(this, 'UserRole', { assumedBy: accountPrincipal, description: `${prefix} app ${app.name}: developer operations` });
    readLogs(this.userRole);
    this.userRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'StartBuilds', actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:ListBuildsForProject'], resources: [this.project.projectArn] }),
    );
    this.userRole.addToPolicy(new iam.PolicyStatement({ sid: 'ListExecutions', actions: ['states:ListExecutions', 'states:DescribeStateMachine'], resources: stateMachineArns }));
    this.userRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'RedriveExecutions', actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'], resources: executionArns }),
    );
    this.userRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadConfig', actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'], resources: [configPathArn, configParameters, schedulesParameterArn] }),
    );
    table.grantReadData(this.userRole);
    // `slipway status|pipelines|redrive`: find the table in the build state machine's definition, and
    // link a failed step to its function's log group (which both roles may read).
    const functions = Object.values(this.pipelines.functions);
    for (const role of [this.managementRole, this.userRole]) {
      role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadPipelineDefinitions', actions: ['states:DescribeStateMachine'], resources: stateMachineArns }));
      role.addToPolicy(new iam.PolicyStatement({ sid: 'FindFunctionLogs', actions: ['lambda:GetFunctionConfiguration'], resources: functions.map((f) => f.function.functionArn) }));
      functions.forEach((f) => f.logGroup.grantRead(role));
    }
    // `slipway run` (management only: the task runs any command with the app's roles and config): a
    // one-off task on any revision of the app's own families, in its cluster (lib/ops/run-task.ts).
    const clusterCondition = { ArnEquals: { 'ecs:cluster': cluster.cluster.clusterArn } };
    const clusterTasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: '*' });
    const oneOffTasks = new iam.Policy(this, 'RunOneOffTasksPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'RunOneOffTasks',
          actions: ['ecs:RunTask'],
          resources: Object.keys(app.processes).map((p) => stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinitionFamily(prefix, app.name, p)}:*` })),
          conditions: clusterCondition,
        }),
        new iam.PolicyStatement({ sid: 'FollowOneOffTasks', actions: ['ecs:DescribeTasks'], resources: [clusterTasks], conditions: clusterCondition }),
        // Tag-on-create is authorized by ecs:CreateAction; ecs:cluster is not in that request's context.
        new iam.PolicyStatement({ sid: 'TagOneOffTasks', actions: ['ecs:TagResource'], resources: [clusterTasks], conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } } }),
      ],
      roles: [this.managementRole],
    });
    acknowledgeWildcards(
      oneOffTasks,
      "slipway run: RunTask on any revision of the app's own task-definition families (a new revision per build), only in the app's cluster; DescribeTasks/TagResource: task IDs are generated by ECS, limited to tasks in the app's cluster and to tagging at RunTask.",
    );
    this.managementRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: [this.executionRole.roleArn, this.taskRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    // `slipway config list`: DescribeParameters has no resource-level permissions (it returns names and
    // metadata, never values); the CLI filters on the app's config path.
    const listConfig = new iam.Policy(this, 'ListConfigKeysPolicy', {
      statements: [new iam.PolicyStatement({ sid: 'ListConfigKeys', actions: ['ssm:DescribeParameters'], resources: ['*'] })],
      roles: [this.managementRole, this.userRole],
    });
    acknowledgeWildcards(listConfig, 'ssm:DescribeParameters supports no resource-level permissions; it returns parameter names and metadata, never values (slipway config list filters on the app\'s config path).');
    for (const role of [this.managementRole, this.userRole]) {
      acknowledgeWildcards(
        role,
        `Limited to this app: executions of its three state machines (execution names are per build), parameters under ${configPath}/, log streams of its log groups.`,
      );
    }
    acknowledgeWildcards(
      this.project.role as iam.Role,
      'CodeBuild\'s generated policy: ecr:GetAuthorizationToken supports no resource-level permissions; report groups are named <project>-*; log streams of the build log group and artifact objects are created per build.',
    );

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
      this.database.allowConnectionsFrom(this.securityGroup, `${prefix} app ${app.name} to its database`);
      secrets.push({ name: 'DATABASE_URL', valueFrom: this.database.parameter.parameterArn });
    }

    // The settings record the pipelines read.
    const settings = buildAppSettings({
      prefix,
      app,
      region: stack.region,
      // The ARN: ECS takes a name or an ARN, but EventBridge Scheduler's ECS targets need the ARN.
      cluster: cluster.cluster.clusterArn,
      imageRepositoryUri: this.repository.repositoryUri,
      codeBuildProject: this.project.projectName,
      subnets: cluster.vpc.selectSubnets(cluster.taskSubnets).subnetIds,
      securityGroups: [this.securityGroup.securityGroupId],
      assignPublicIp: cluster.assignPublicIp,
      capacityProviderStrategy: cluster.capacityProviderStrategy,
      executionRoleArn: this.executionRole.roleArn,
      taskRoleArn: this.taskRole.roleArn,
      logGroup: this.logGroup.logGroupName,
      webTargetGroupArn: this.targetGroup?.targetGroupArn,
      secrets,
    });
    this.writeSettings(table.tableName, table.tableArn, stack.toJsonString(settings));

    this.monitoring = new AppMonitoring(this, 'Monitoring', {
      prefix,
      app,
      clusterName: cluster.cluster.clusterName,
      targetGroup: this.targetGroup,
      stateMachines: this.pipelines.stateMachines,
      schedules: { groupName: scheduleGroupName(prefix, app.name), deadLetterQueue: this.pipelines.configAndSchedules.schedulesDeadLetterQueue },
    });
    this.monitoring.grantCli(this.managementRole, this.userRole);
  }

  /**
   * Writes the settings record on create and on every update (CloudFormation re-runs the call when the
   * JSON changes). A custom resource, because DynamoDB items have no CloudFormation resource type.
   */
  private writeSettings(tableName: string, tableArn: string, settingsJson: string): void {
    const putItem: cr.AwsSdkCall = {
      service: 'DynamoDB',
      action: 'putItem',
      parameters: { TableName: tableName, Item: { pk: { S: SETTINGS_KEY.pk }, sk: { S: SETTINGS_KEY.sk }, settings: { S: settingsJson } } },
      physicalResourceId: cr.PhysicalResourceId.of(`${SETTINGS_KEY.pk}#${SETTINGS_KEY.sk}`),
    };
    const writer = new cr.AwsCustomResource(this, 'SettingsRecord', {
      onCreate: putItem,
      onUpdate: putItem,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [tableArn] })]),
      // The runtime's SDK is enough for PutItem; installing the latest at deploy time needs npm in the Lambda.
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'SettingsRecordLogGroup', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    // The provider function is a stack-wide singleton that CDK creates for every AwsCustomResource.
    const provider = this.node.tryFindChild(cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '').replace(/^/, 'AWS'));
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK\'s AwsCustomResource provider (writes the settings record at deploy time only) uses the AWS managed basic execution policy; its DynamoDB access is limited to PutItem on this app\'s table.',
      });
    }
    void writer;
  }
}
