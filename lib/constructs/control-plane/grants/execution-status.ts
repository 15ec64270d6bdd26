import * as iam from 'aws-cdk-lib/aws-iam';
import { STATE_MACHINES } from '../../../../domain';
import { SWEEP_MARK } from '../../../../domain/table';
import { milestoneStatement } from '../../policy-statements';
import type { ControlPlaneGrants } from '../grant-tools';

/**
 * execution-status: reads the histories of the control plane's executions, records failures in the app's
 * table, releases claims, announces; the sweep keeps its high-water mark in the control table.
 */
export function grantExecutionStatus(g: ControlPlaneGrants): void {
  const status = g.cp.functions.executionStatus.role;
  g.readSettings(status);
  g.wildcardPolicy(
    status,
    'ExecutionHistoryPolicy',
    'Execution ARNs end in the execution name, chosen per build by the pipelines or EventBridge: limited to the executions of this control plane\'s five state machines; the apps\' tables by tag.',
    [
      new iam.PolicyStatement({ sid: 'ReadExecutions', actions: ['states:GetExecutionHistory', 'states:DescribeExecution'], resources: STATE_MACHINES.map((n) => g.cp.executionsArn(n)) }),
      g.appTables('RecordFailures', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    ],
  );
  status.addToPolicy(new iam.PolicyStatement({ sid: 'ListExecutions', actions: ['states:ListExecutions'], resources: STATE_MACHINES.map((n) => g.cp.stateMachineArn(n)) }));
  // The sweep's high-water mark: only its own item of the control table (partition key SWEEP).
  status.addToPolicy(
    new iam.PolicyStatement({ sid: 'SweepMark', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [g.cp.table.tableArn], conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [SWEEP_MARK.pk] } } }),
  );
  status.addToPolicy(milestoneStatement(g.cp));
}
