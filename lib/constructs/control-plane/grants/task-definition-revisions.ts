import * as iam from 'aws-cdk-lib/aws-iam';
import { TAG_APP } from '../../../../domain';
import { tagOnCreateStatement } from '../../policy-statements';
import type { ControlPlaneGrants } from '../grant-tools';

/**
 * Registering task-definition revisions, as register-task-definitions (a build's image) and
 * register-config-revisions (the config keys that exist now) both do: a policy `id` on `role`.
 */
export function grantRegisterRevisions(g: ControlPlaneGrants, role: iam.Role, id: string): void {
  g.wildcardPolicy(
    role,
    id,
    `ssm:DescribeParameters (names and metadata only, never values), ecs:ListTaskDefinitions, DescribeTaskDefinition and RegisterTaskDefinition support no resource-level permissions (RegisterTaskDefinition only for requests tagged ${TAG_APP}); TagResource only at registration, on Slipway's families (${g.names.prefix}-*); the apps' tables by tag; PassRole of the roles tagged for this control plane.`,
    [
      new iam.PolicyStatement({ sid: 'ListConfigKeyNames', actions: ['ssm:DescribeParameters'], resources: ['*'] }),
      new iam.PolicyStatement({ sid: 'FindRevisions', actions: ['ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'RegisterTaggedRevisions',
        actions: ['ecs:RegisterTaskDefinition'],
        resources: ['*'],
        // The handler tags each revision with its app; an untagged request is refused.
        conditions: { Null: { [`aws:RequestTag/${TAG_APP}`]: 'false' } },
      }),
      tagOnCreateStatement('TagNewRevisions', [g.familyArns()], 'RegisterTaskDefinition'),
    ],
  );
}
