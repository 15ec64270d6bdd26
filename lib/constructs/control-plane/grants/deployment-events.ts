import * as iam from 'aws-cdk-lib/aws-iam';
import type { ControlPlaneGrants } from '../grant-tools';
import { grantTaskTokens } from './task-tokens';

/**
 * deployment-events: only the control table (waiters), the cluster's services, the deploys' task tokens;
 * no settings (it serves the waiters it finds).
 */
export function grantDeploymentEvents(g: ControlPlaneGrants): void {
  const role = g.cp.functions.deploymentEvents.role;
  role.addToPolicy(new iam.PolicyStatement({ sid: 'DescribeServices', actions: ['ecs:DescribeServices'], resources: [g.serviceArn('*')], conditions: g.clusterCondition() }));
  grantTaskTokens(g, role);
  g.cp.table.grant(role, 'dynamodb:Query', 'dynamodb:UpdateItem');
}
