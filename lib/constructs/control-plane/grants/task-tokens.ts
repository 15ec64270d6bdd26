import * as iam from 'aws-cdk-lib/aws-iam';
import type { ControlPlaneGrants } from '../grant-tools';

const TASK_TOKENS_REASON =
  'states:SendTaskSuccess and SendTaskFailure support no resource-level permissions (Service Authorization Reference, AWS Step Functions); a task token is known only to the deploy that waits and to the waiter item in the control table.';

/**
 * Resuming the deploy's `.waitForTaskToken` state (update-service and deployment-events). SendTaskSuccess
 * and SendTaskFailure have no resource types in the Service Authorization Reference (Step Functions:
 * "Resource types" empty, so Resource must be "*"): a grant on the deploy state machine's ARN would be
 * denied by AWS. A task token can only be used by whoever holds it (the waiter item).
 */
export function grantTaskTokens(g: ControlPlaneGrants, role: iam.Role): void {
  g.wildcardPolicy(role, 'TaskTokensPolicy', TASK_TOKENS_REASON, [new iam.PolicyStatement({ sid: 'ResumeDeploy', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] })]);
}
