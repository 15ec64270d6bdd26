import type { ControlPlaneGrants } from '../grant-tools';

/**
 * The config-change state machine: reads the change, claims the redeploy, waits for the app's running
 * deploys and releases (register-config-revisions finds them), registers revisions, starts deploy or schedules.
 */
export function grantConfigChangeMachine(g: ControlPlaneGrants): void {
  g.invoke('config-change', 'parseParameterChange', 'registerConfigRevisions');
  g.wildcardPolicy(g.cp.stateMachineRoles['config-change'], 'AppTablesPolicy', g.appTablesReason, [g.appTables('ClaimRedeploys', ['dynamodb:UpdateItem'])]);
  g.startExecution('config-change', 'deploy', 'schedules');
}
