import { milestoneStatement } from '../../policy-statements';
import type { ControlPlaneGrants } from '../grant-tools';

/**
 * The build state machine: records the build in the app's table (TableName.$ from the settings),
 * registers its revisions, starts the release, announces its milestones. Like every machine it is granted
 * the DynamoDB actions of its Task states, no more (the IAM evaluator's tests check every grant against
 * the integrations of the ASL files: test/lib/iam/); the settings are read by the handlers, never by a
 * state machine.
 */
export function grantBuildMachine(g: ControlPlaneGrants): void {
  const role = g.cp.stateMachineRoles.build;
  g.invoke('build', 'parseBuildEvent', 'registerTaskDefinitions');
  g.wildcardPolicy(role, 'AppTablesPolicy', g.appTablesReason, [g.appTables('RecordBuilds', ['dynamodb:UpdateItem'])]);
  g.startExecution('build', 'release');
  g.readChildExecutions('build', 'release');
  // The started/succeeded milestones; failures and redrives are announced by execution-status.
  role.addToPolicy(milestoneStatement(g.cp));
}
