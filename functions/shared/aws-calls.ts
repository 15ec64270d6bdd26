/**
 * The AWS calls a handler makes, as data: each handler lists its own in `functions/<handler>/aws-calls.ts`,
 * beside its code. test/lib/iam/ checks each list against the handler's source (every SDK command the
 * handler and the modules it imports send has its row, so a new call cannot be forgotten) and evaluates
 * every row against the synthesized role of the handler, on the real ARNs of a deployment, with the
 * context AWS sets, as AWS's policy evaluation does (docs/control-plane.md, "What isolates apps and how
 * it is proven"). Nothing here is read at run time.
 */

/**
 * What a call acts on, for the app whose event or execution the handler serves (the evaluator's tests turn
 * each into the real ARN and the context keys AWS sets for the request):
 *
 * * `settings`, `schedules-parameter`: the app's parameters `/<prefix>/apps/<app>/settings`, `.../schedules`;
 * * `config-parameters`: names of the app's config parameters (ssm:DescribeParameters, no resource-level permissions);
 * * `app-table`: the app's table (tagged `slipway:control-plane`), `control-table`: the control plane's table, `sweep-mark`: its item of the
 *   execution-status sweep's high-water mark (partition key `SWEEP`, the request's `dynamodb:LeadingKeys`);
 * * `service`: the app's ECS services in its cluster; `new-service`: tagging a service as CreateService creates it;
 * * `task-definition`: the app's task-definition revisions; `new-task-definition`: registering one (tagged
 *   with the app), `new-task-definition-tags`: tagging it as RegisterTaskDefinition creates it;
 * * `task-roles`: the app's task and execution roles, passed to ECS tasks; `scheduler-role`: the control
 *   plane's Scheduler role, passed to EventBridge Scheduler;
 * * `app-executions`: the app's release and deploy executions; `all-executions`: executions of every state
 *   machine of the control plane; `pipeline-state-machines`: the deploy and release state machines;
 *   `all-state-machines`: all five; `deploy-task-token`: the deploy state machine (task tokens);
 * * `app-schedules`: schedules in the app's schedule group; `any`: an action without resource-level permissions;
 * * `milestone-bus`: the default event bus, with the event source `slipway`;
 * * `target-tracking-alarms`: alarms Application Auto Scaling creates for a service's target tracking;
 * * `autoscaling-linked-role`: the service-linked role of ECS Service Auto Scaling.
 */
export type CallTarget =
  | 'settings'
  | 'schedules-parameter'
  | 'config-parameters'
  | 'app-table'
  | 'control-table'
  | 'sweep-mark'
  | 'service'
  | 'new-service'
  | 'task-definition'
  | 'new-task-definition'
  | 'new-task-definition-tags'
  | 'task-roles'
  | 'scheduler-role'
  | 'app-executions'
  | 'all-executions'
  | 'pipeline-state-machines'
  | 'all-state-machines'
  | 'deploy-task-token'
  | 'app-schedules'
  | 'any'
  | 'milestone-bus'
  | 'target-tracking-alarms'
  | 'autoscaling-linked-role';

/** One AWS call of a handler: the IAM action AWS authorizes, what it acts on, and why. */
export interface HandlerAwsCall {
  /** The IAM action, e.g. `ecs:UpdateService`. */
  readonly action: string;
  readonly on: CallTarget;
  readonly why: string;
  /**
   * Not an SDK command of the handler but an action AWS also authorizes for one (iam:PassRole for the
   * roles of a task definition it registers, ecs:TagResource for tags on create, the alarms of a target
   * tracking policy): named with the command and the AWS page that says so.
   */
  readonly impliedBy?: string;
  /**
   * A command the handler's modules contain but this handler never sends (a shared module's other
   * function): it must be denied to this handler's role (no grant for a call it does not make).
   */
  readonly notSent?: string;
}

/** What AWS also authorizes when a handler registers a task definition with tags and task roles. */
export const REGISTER_TASK_DEFINITION_IMPLIES: readonly HandlerAwsCall[] = [
  { action: 'ecs:TagResource', on: 'new-task-definition-tags', why: 'the revision\'s tags', impliedBy: 'RegisterTaskDefinition with tags (Amazon ECS Developer Guide, "Grant permission to tag resources on creation")' },
  { action: 'iam:PassRole', on: 'task-roles', why: 'the revision\'s task and execution roles', impliedBy: 'RegisterTaskDefinition with taskRoleArn/executionRoleArn (Amazon ECS Developer Guide, "Task IAM role": iam:PassRole)' },
];
