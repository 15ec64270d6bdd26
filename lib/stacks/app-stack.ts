import { RemovalPolicy, Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { alertsShard, alertsTopicName, scheduleGroupName } from '../../domain';
import { WEB_PROCESS } from '../../domain/constants';
import type { AppConfig } from '../deployment-config';
import { AppBuild } from '../constructs/app-build';
import { AppDatabase, type DatabaseEndpoint } from '../constructs/app-database';
import { AppImageRepository } from '../constructs/app-image-repository';
import { AppLoadBalancing } from '../constructs/app-load-balancing';
import { AppLogs } from '../constructs/app-logs';
import { AppMonitoring } from '../constructs/app-monitoring';
import { AppOperatorPolicies } from '../constructs/app-operator-policies';
import { AppRecords } from '../constructs/app-records';
import { AppRoles } from '../constructs/app-roles';
import type { ClusterResources } from './cluster-resources';
import { logicalIdOutside } from './logical-ids';
import { addAppOutputs } from './stack-outputs';

/**
 * The ids of the constructs that group resources which stood directly in the stack before (issue 14): left
 * out of logical IDs ({@link AppStack.allocateLogicalId}), so those resources keep theirs.
 */
const GROUPINGS = {
  logs: 'Logs',
  images: 'ImageRepository',
  build: 'AppBuild',
  network: 'LoadBalancing',
  roles: 'Roles',
  records: 'Records',
  operators: 'OperatorPolicies',
} as const;
const GROUPING_IDS: ReadonlySet<string> = new Set(Object.values(GROUPINGS));

/** The retention periods CloudWatch Logs accepts, in days. */
const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE));

export interface AppStackProps extends StackProps {
  /** Prefix of every name (config `prefix`). */
  readonly prefix: string;
  /** The app's validated config. */
  readonly app: AppConfig;
  /** The cluster the app runs on (a ClusterStack), whose control plane serves the app. */
  readonly cluster: ClusterResources;
  /**
   * Priority of the `web` listener rule on the cluster's listener (unique per listener).
   * @default - derived from the app's name (`listenerPriority` in lib/constructs/app-load-balancing.ts)
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
 * by those pipelines (docs/design.md, "Who owns what"). Three IAM roles (task, execution, CodeBuild), no
 * EventBridge rule, no KMS key, no Lambda function.
 *
 * The stack only wires constructs, each owning its resources and grants. The constructs that group the
 * resources of earlier versions (all but the monitoring and the database) leave no trace in logical IDs
 * ({@link allocateLogicalId}): their resources keep the IDs they had directly in the stack.
 */
export class AppStack extends Stack {
  /** The tasks' and the builds' log groups. */
  public readonly logs: AppLogs;
  /** The ECR repository `<prefix>/<app>`. */
  public readonly images: AppImageRepository;
  /** The CodeBuild project `<prefix>-<app>`, its buckets and log group. */
  public readonly build: AppBuild;
  /** The tasks' security group, the `web` target group and listener rule. */
  public readonly loadBalancing: AppLoadBalancing;
  /** The tasks' execution and task roles. */
  public readonly roles: AppRoles;
  /** The app's table, schedule group and settings (its entry in the control plane). */
  public readonly records: AppRecords;
  /** The operate and develop policies for operators' principals. */
  public readonly operatorPolicies: AppOperatorPolicies;
  /** The app's alarms, alert subscriptions and optional dashboard (docs/monitoring.md). */
  public readonly monitoring: AppMonitoring;
  /** The app's own database and role, when the config names a database. */
  public readonly database?: AppDatabase;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { prefix, app, cluster } = props;
    this.validate(props);
    const controlPlane = cluster.name;
    const ofApp = { prefix, app, controlPlane };

    this.images = new AppImageRepository(this, GROUPINGS.images, ofApp);
    this.logs = new AppLogs(this, GROUPINGS.logs, ofApp);
    this.build = new AppBuild(this, GROUPINGS.build, { ...ofApp, repository: this.images.repository, logGroup: this.logs.builds });
    this.loadBalancing = new AppLoadBalancing(this, GROUPINGS.network, { ...ofApp, cluster, listenerPriority: props.listenerPriority });
    this.roles = new AppRoles(this, GROUPINGS.roles, { ...ofApp, repository: this.images.repository, logGroup: this.logs.tasks });

    // The app's own database: created with the stack, kept on update, dropped on delete only when the
    // config's databaseRemovalPolicy is "destroy". Tasks get DATABASE_URL from the app's config folder
    // (the execution role reads it) and log in with IAM auth tokens (the task role).
    if (props.database) {
      this.database = new AppDatabase(this, 'Database', {
        prefix,
        app: app.name,
        database: props.database,
        removalPolicy: app.databaseRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
      this.database.grantConnect(this.roles.taskRole);
      // The tasks join the database's clients group, which the cluster admits: no rule per app in a shared
      // group (DatabaseStack always has one; an endpoint without it gets a rule for this app).
      if (!props.database.clientSecurityGroup) this.database.allowConnectionsFrom(this.loadBalancing.securityGroup, `${prefix} app ${app.name} to its database`);
    }

    this.records = new AppRecords(this, GROUPINGS.records, {
      ...ofApp,
      resources: {
        // The ARN: ECS takes a name or an ARN, but EventBridge Scheduler's ECS targets need the ARN.
        cluster: cluster.cluster.clusterArn,
        imageRepositoryUri: this.images.repository.repositoryUri,
        codeBuildProject: this.build.project.projectName,
        subnets: cluster.vpc.selectSubnets(cluster.taskSubnets).subnetIds,
        securityGroups: [this.loadBalancing.securityGroup.securityGroupId, ...(props.database?.clientSecurityGroup ? [props.database.clientSecurityGroup.securityGroupId] : [])],
        assignPublicIp: cluster.assignPublicIp,
        capacityProviderStrategy: cluster.capacityProviderStrategy,
        executionRoleArn: this.roles.executionRole.roleArn,
        taskRoleArn: this.roles.taskRole.roleArn,
        logGroup: this.logs.tasks.logGroupName,
        webTargetGroupArn: this.loadBalancing.targetGroup?.targetGroupArn,
        secrets: this.database ? [{ name: 'DATABASE_URL', valueFrom: this.database.parameter.parameterArn }] : [],
      },
    });

    // The app's shard of the cluster's alerts topics, by name (no export, no topic of its own).
    const alertsTopic = sns.Topic.fromTopicArn(this, 'AlertsTopic', this.formatArn({ service: 'sns', resource: alertsTopicName(prefix, controlPlane, alertsShard(app.name)) }));
    this.monitoring = new AppMonitoring(this, 'Monitoring', {
      prefix,
      app,
      clusterName: cluster.cluster.clusterName,
      alertsTopic,
      targetGroup: this.loadBalancing.targetGroup,
      scheduleGroupName: scheduleGroupName(prefix, controlPlane, app.name),
    });

    addAppOutputs(this, { app, clusterDomain: cluster.domainName, taskLogGroup: this.logs.tasks, buildLogGroup: this.logs.builds, buildProject: this.build.project.projectName });
    this.operatorPolicies = new AppOperatorPolicies(this, GROUPINGS.operators, {
      ...ofApp,
      clusterArn: cluster.cluster.clusterArn,
      project: this.build.project,
      table: this.records.table,
      logGroups: [this.logs.tasks, this.logs.builds],
      taskRoles: [this.roles.executionRole, this.roles.taskRole],
      grantsOf: [this.monitoring],
    });
  }

  /**
   * Every resource keeps the logical ID it had before the constructs that group it existed (the table
   * keeps `Pipelines/Table`'s): a deploy of this version replaces nothing.
   */
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdOutside(GROUPING_IDS, this, element);
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
}
