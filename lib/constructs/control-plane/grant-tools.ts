import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { appParameterPath, configParameterName, settingsParameterName, TAG_CONTROL_PLANE, type PipelineFunctionKey, type StateMachineName } from '../../../domain';
import { acknowledgeWildcards, clusterCondition, clusterTasksArn, parameterArn, passRolesToEcsTasksStatement } from '../policy-statements';
import type { SlipwayFunction } from '../slipway-function';

/**
 * What the grants read of the control plane (the ControlPlane construct is one; declared here so that
 * the grant files never import the construct). Its functions and roles are read when a grant is made.
 */
export interface GrantedControlPlane extends Construct {
  /** The control plane's name (the cluster's). */
  readonly name: string;
  readonly table: dynamodb.Table;
  readonly functions: Record<PipelineFunctionKey, SlipwayFunction>;
  readonly stateMachineRoles: Record<StateMachineName, iam.Role>;
  readonly schedulerRole: iam.Role;
  stateMachineArn(pipeline: StateMachineName): string;
  executionsArn(pipeline: StateMachineName, namePattern?: string): string;
}

/** The names a control plane's grants are limited to. */
export interface GrantNames {
  /** Prefix of every name (config `prefix`). */
  readonly prefix: string;
  /** The ECS cluster's name in AWS. */
  readonly clusterName: string;
  /** The ECS cluster's ARN (the `ecs:cluster` condition). */
  readonly clusterArn: string;
}

/**
 * The IAM building blocks of a control plane's grants: the resources of the apps it serves as IAM
 * resources and conditions, and the policies that hold statements with a wildcard (each with the reason
 * cdk-nag is told). The grants of each state machine and handler are in grants/, one file each.
 */
export class ControlPlaneGrants {
  constructor(
    readonly cp: GrantedControlPlane,
    readonly names: GrantNames,
  ) {}

  readonly appTablesReason = `The apps' tables have names CloudFormation generates: any table of the account and region, only when tagged ${TAG_CONTROL_PLANE}=<this control plane> (the app stacks tag their own table).`;
  readonly settingsReason =
    'Settings of the apps of this control plane: /<prefix>/apps/<app>/settings (app names are not known to the shared control plane), config values denied explicitly; where granted, iam:PassRole of any role of the account only when tagged for this control plane and only to ECS tasks.';

  /** ARN of a service of the cluster (`*` for all). */
  serviceArn(name: string): string {
    return Stack.of(this.cp).formatArn({ service: 'ecs', resource: 'service', resourceName: `${this.names.clusterName}/${name}` });
  }

  /** The apps' tables: any table in the account and region, only when tagged for this control plane. */
  appTables(sid: string, actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: [Stack.of(this.cp).formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
      // DynamoDB authorizes item actions on aws:ResourceTag (DynamoDB Developer Guide, "Using ABAC with
      // DynamoDB tables and indexes", abac-example-use-cases: aws:ResourceTag with PutItem).
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: this.cp.name } },
    });
  }

  /** Reading apps' settings (`/<prefix>/apps/<app>/settings`), never their config values (an explicit Deny). */
  readSettings(role: iam.IRole, extraNames: string[] = []): void {
    const anyApp = appParameterPath(this.names.prefix, '*');
    const parameter = (name: string) => parameterArn(this.cp, name);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAppSettings',
        actions: ['ssm:GetParameter'],
        resources: [parameter(settingsParameterName(anyApp)), ...extraNames.map((n) => parameter(`${anyApp}/${n}`))],
      }),
    );
    // IAM's `*` also matches `/`: `/<prefix>/apps/<app>/config/settings` (a config key named "settings",
    // a secret) would match the pattern above. The Deny keeps the config values out of reach.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'NeverReadConfigValues', effect: iam.Effect.DENY, actions: ['ssm:GetParameter', 'ssm:GetParameters'], resources: [parameter(configParameterName(anyApp, '*'))] }),
    );
  }

  passAppRoles(role: iam.IRole): void {
    // IAM evaluates aws:ResourceTag on roles (IAM User Guide, "Controlling access to and for IAM users and
    // roles using tags"): only the task and execution roles app stacks tag for this control plane, only to ECS tasks.
    const anyRole = Stack.of(this.cp).formatArn({ service: 'iam', region: '', resource: 'role', resourceName: '*' });
    role.addToPrincipalPolicy(passRolesToEcsTasksStatement('PassAppTaskRoles', [anyRole], { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: this.cp.name }));
  }

  familyArns(): string {
    return Stack.of(this.cp).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${this.names.prefix}-*:*` });
  }

  clusterCondition() {
    return clusterCondition(this.names.clusterArn);
  }

  clusterTasks(): string {
    // Scoped to the cluster by the ecs:cluster condition (task IDs are generated by ECS).
    return clusterTasksArn(this.cp);
  }

  invoke(pipeline: StateMachineName, ...fns: PipelineFunctionKey[]): void {
    this.cp.stateMachineRoles[pipeline].addToPolicy(
      new iam.PolicyStatement({ sid: 'InvokeHandlers', actions: ['lambda:InvokeFunction'], resources: fns.map((f) => this.cp.functions[f].function.functionArn) }),
    );
  }

  startExecution(pipeline: StateMachineName, ...children: StateMachineName[]): void {
    this.cp.stateMachineRoles[pipeline].addToPolicy(
      new iam.PolicyStatement({ sid: 'StartChildren', actions: ['states:StartExecution'], resources: children.map((c) => this.cp.stateMachineArn(c)) }),
    );
  }

  /**
   * DescribeExecution of the child's executions: a start refused with ExecutionAlreadyExists reads the
   * execution of that name and compares its build (statemachines/build.asl.json, release.asl.json).
   */
  readChildExecutions(pipeline: StateMachineName, child: StateMachineName): void {
    this.wildcardPolicy(
      this.cp.stateMachineRoles[pipeline],
      'ChildExecutionsPolicy',
      `Execution ARNs end in the execution name (<app>--<build>-${child}): the ${child} machine's executions, read only, to compare a name already taken with the build being started.`,
      [new iam.PolicyStatement({ sid: 'ReadChildExecutions', actions: ['states:DescribeExecution'], resources: [this.cp.executionsArn(child)] })],
    );
  }

  /**
   * Statements that need a wildcard (generated IDs, revisions, actions without resource-level
   * permissions, the apps' resources found by tag) go in a policy of their own, a child of the role,
   * whose cdk-nag IAM5 acknowledgement carries the reason; the role's default policy stays fully checked.
   */
  wildcardPolicy(role: iam.Role, id: string, reason: string, statements: iam.PolicyStatement[]): iam.Policy {
    const policy = new iam.Policy(role, id, { statements });
    role.attachInlinePolicy(policy);
    acknowledgeWildcards(policy, reason);
    return policy;
  }
}
