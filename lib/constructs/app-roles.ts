import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { appParameterPath, configParameterPath } from '../../domain';
import type { AppImagesProps } from './app-image-repository';
import { tagForControlPlane } from './control-plane';
import { acknowledgeWildcards, parameterArn } from './policy-statements';

/**
 * What the app's tasks run as: the ECS execution role (pulls the image, writes the tasks' log group, reads the app's config parameters for the containers' secrets) and the task role
 * (the app's own AWS permissions: only ECS Exec's session channels by default), both tagged for the control plane that passes them to
 * ECS (and no other roles).
 */
export class AppRoles extends Construct {
  public readonly executionRole: iam.Role;
  public readonly taskRole: iam.Role;

  constructor(scope: Construct, id: string, props: AppImagesProps) {
    super(scope, id);
    const configPath = configParameterPath(appParameterPath(props.prefix, props.app.name));
    const configParameters = parameterArn(this, `${configPath}/*`);
    const { prefix, app, repository } = props;
    const stack = Stack.of(this);

    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ecs', resource: '*' }) },
      },
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', { assumedBy: ecsTasks, description: `${prefix} app ${app.name}: ECS task execution` });
    repository.grantPull(this.executionRole);
    props.logGroup.grantWrite(this.executionRole);
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
    this.taskRole = new iam.Role(this, 'TaskRole', { assumedBy: ecsTasks, description: `${prefix} app ${app.name}: the app's own AWS permissions (ECS Exec's session channels by default)` });
    for (const role of [this.executionRole, this.taskRole]) tagForControlPlane(role, props.controlPlane, app.name);
    // ECS Exec (`slipway shell`): the SSM agent ECS runs in each task opens its session channels as the
    // task role (Amazon ECS Developer Guide, "Using Amazon ECS Exec", the task IAM role's permissions).
    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EcsExecChannels',
        actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        resources: ['*'],
      }),
    );
    acknowledgeWildcards(this.taskRole, 'ECS Exec: the ssmmessages channel actions support no resource-level permissions (Service Authorization Reference, Amazon Message Gateway Service); the session itself is authorized by ecs:ExecuteCommand on the app\'s tasks.');
  }
}
