import { milestoneStatement } from '../../policy-statements';
import type { ControlPlaneGrants } from '../grant-tools';

/** The deploy state machine: updates each service and waits for its deployment, records the release, announces its milestones. */
export function grantDeployMachine(g: ControlPlaneGrants): void {
  const role = g.cp.stateMachineRoles.deploy;
  g.invoke('deploy', 'updateService');
  g.wildcardPolicy(role, 'AppTablesPolicy', g.appTablesReason, [g.appTables('RecordReleases', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])]);
  role.addToPolicy(milestoneStatement(g.cp));
}
