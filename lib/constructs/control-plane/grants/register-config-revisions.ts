import * as iam from 'aws-cdk-lib/aws-iam';
import type { ControlPlaneGrants } from '../grant-tools';
import { grantRegisterRevisions } from './task-definition-revisions';

/**
 * register-config-revisions (config-change): the revisions register-task-definitions makes, with the
 * config keys that exist now; reads the current release, and finds the app's running deploys and releases.
 */
export function grantRegisterConfigRevisions(g: ControlPlaneGrants): void {
  const role = g.cp.functions.registerConfigRevisions.role;
  g.readSettings(role);
  grantRegisterRevisions(g, role, 'ConfigRevisionsPolicy');
  g.passAppRoles(role);
  g.wildcardPolicy(role, 'AppTablesPolicy', g.appTablesReason, [g.appTables('ReadReleases', ['dynamodb:GetItem'])]);
  // ... and finds the app's running deploys and releases (findRunningPipelines): ListExecutions of the two
  // shared machines, then DescribeExecution of a running one whose name does not say the app.
  role.addToPolicy(new iam.PolicyStatement({ sid: 'FindRunningPipelines', actions: ['states:ListExecutions'], resources: [g.cp.stateMachineArn('deploy'), g.cp.stateMachineArn('release')] }));
  g.wildcardPolicy(
    role,
    'RunningPipelinesPolicy',
    'Execution ARNs end in names chosen per build; limited to the executions of this control plane\'s deploy and release state machines (read-only).',
    [new iam.PolicyStatement({ sid: 'ReadRunningPipelines', actions: ['states:DescribeExecution'], resources: [g.cp.executionsArn('deploy'), g.cp.executionsArn('release')] })],
  );
}
