import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SERVICE_AUTOSCALING_ACTIONS, tagOnCreateStatement } from '../../policy-statements';
import type { ControlPlaneGrants } from '../grant-tools';
import { grantTaskTokens } from './task-tokens';

/**
 * update-service (the deploy's `.waitForTaskToken` state): the app's settings, the cluster's services and
 * their autoscaling, the app's records (claims, releases) in its table, the waiter (task token) in the
 * control table.
 */
export function grantUpdateService(g: ControlPlaneGrants): void {
  const update = g.cp.functions.updateService.role;
  const stack = Stack.of(g.cp);
  const services = g.serviceArn('*');
  g.readSettings(update);
  update.addToPolicy(
    new iam.PolicyStatement({ sid: 'ManageServices', actions: ['ecs:DescribeServices', 'ecs:CreateService', 'ecs:UpdateService'], resources: [services], conditions: g.clusterCondition() }),
  );
  update.addToPolicy(tagOnCreateStatement('TagNewServices', [services], 'CreateService'));
  update.addToPolicy(
    new iam.PolicyStatement({
      sid: 'AutoscalingServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [
        stack.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: 'aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService',
        }),
      ],
      conditions: { StringLike: { 'iam:AWSServiceName': 'ecs.application-autoscaling.amazonaws.com' } },
    }),
  );
  g.wildcardPolicy(
    update,
    'AutoscalingPolicy',
    `Application Auto Scaling scalable targets and scaling policies get generated IDs and DescribeScalableTargets supports no resource-level permissions; target-tracking alarms are named TargetTracking-service/<cluster>/<service>-<suffix>, limited here to services of ${g.names.clusterName}.`,
    [
      new iam.PolicyStatement({
        sid: 'Autoscaling',
        actions: [...SERVICE_AUTOSCALING_ACTIONS],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'TargetTrackingAlarms',
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
        resources: [stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `TargetTracking-service/${g.names.clusterName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    ],
  );
  g.wildcardPolicy(
    update,
    'ServicesPolicy',
    `Services of this cluster (${g.names.clusterName}/*, named <app>--<process> by the deploys); ecs:DescribeTaskDefinition supports no resource-level permissions (update-service reads the running revision's tags).`,
    [new iam.PolicyStatement({ sid: 'DescribeRevisions', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] })],
  );
  g.wildcardPolicy(update, 'AppTablesPolicy', g.appTablesReason, [
    // The deploy claim, re-taken after a redrive (the records themselves are written by the deploy machine).
    // GetItem: the deploy's check reads the build's record (functions/update-service/check-deploy.ts),
    // a deploy the process type's stored scale. Query and UpdateItem: the release's number
    // (functions/update-service/record-release.ts looks back for the release a rollback deploys again).
    g.appTables('RecordDeploys', ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
  ]);
  g.cp.table.grant(update, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
  grantTaskTokens(g, update);
}
