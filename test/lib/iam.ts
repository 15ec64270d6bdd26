import type { Template } from 'aws-cdk-lib/assertions';
import { LOG_DELIVERY_ACTIONS, SERVICE_AUTOSCALING_ACTIONS, TRACING_ACTIONS } from '../../lib/constructs/policy-statements';

/** One statement of a synthesized IAM policy. */
export type Statement = { Effect?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown>; Sid?: string };

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/**
 * The actions Slipway's pipelines may grant on Resource "*": each has no resource-level permissions, or
 * acts on resources whose ARNs carry IDs generated at run time.
 */
export const PIPELINE_STAR_ACTIONS: readonly string[] = [
  // config changes read parameter names only (DescribeParameters); sync-schedules lists its own group.
  'ssm:DescribeParameters',
  'scheduler:ListSchedules',
  // Task tokens are no resources: SendTaskSuccess/SendTaskFailure have no resource types.
  'states:SendTaskSuccess',
  'states:SendTaskFailure',
  // Step Functions' log delivery and X-Ray tracing have no resource-level permissions (one owner: policy-statements.ts).
  ...TRACING_ACTIONS,
  ...LOG_DELIVERY_ACTIONS,
  'ecs:RegisterTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecs:DescribeTaskDefinition',
  // Scalable targets, their policies and scheduled actions (scale to zero) carry generated IDs.
  ...SERVICE_AUTOSCALING_ACTIONS,
];

/** Actions granted on Resource "*" by any IAM policy of the template that are not in `allowed`. */
export function unexpectedStarActions(template: Template, allowed: readonly string[]): string[] {
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const starred = statements.filter((s) => resourcesOf(s).includes('*')).flatMap(actionsOf);
  return starred.filter((a) => !allowed.includes(a));
}
