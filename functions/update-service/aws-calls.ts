import type { HandlerAwsCall } from '../shared/aws-calls';

/** The alarms of a target tracking policy: Application Auto Scaling creates, reads and deletes them as the handler's role. */
const BY_PUT_SCALING_POLICY = 'PutScalingPolicy (Application Auto Scaling User Guide, "Permissions required to call Application Auto Scaling API actions")';

/** Every AWS call of update-service (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [
  { action: 'ssm:GetParameter', on: 'settings', why: 'the app\'s settings' },
  { action: 'ecs:DescribeServices', on: 'service', why: 'whether the service exists, and its deployments' },
  { action: 'ecs:DescribeTaskDefinition', on: 'any', why: 'the running revision\'s tags (which build it is); the deploy\'s check: a revision\'s tags say its app and build' },
  { action: 'dynamodb:GetItem', on: 'app-table', why: 'the deploy\'s check: the build\'s record (only a SUCCEEDED build of the app is deployed); the process type\'s stored scale (slipway scale); the release counter' },
  { action: 'ecs:CreateService', on: 'service', why: 'the app\'s first deploy of a process type' },
  { action: 'ecs:TagResource', on: 'new-service', why: 'the new service\'s tags', impliedBy: 'CreateService with tags (Amazon ECS Developer Guide, "Grant permission to tag resources on creation")' },
  { action: 'ecs:UpdateService', on: 'service', why: 'the new revision' },
  { action: 'application-autoscaling:DescribeScalableTargets', on: 'any', why: 'the service\'s scaling range' },
  { action: 'application-autoscaling:RegisterScalableTarget', on: 'any', why: 'the service\'s scaling range' },
  { action: 'application-autoscaling:PutScalingPolicy', on: 'any', why: 'the CPU target tracking' },
  { action: 'application-autoscaling:DescribeScheduledActions', on: 'any', why: 'scale to zero of a non-production app' },
  { action: 'application-autoscaling:PutScheduledAction', on: 'any', why: 'scale to zero of a non-production app' },
  { action: 'application-autoscaling:DeleteScheduledAction', on: 'any', why: 'scale to zero turned off' },
  { action: 'iam:CreateServiceLinkedRole', on: 'autoscaling-linked-role', why: 'the first scalable target of the account', impliedBy: 'RegisterScalableTarget (Application Auto Scaling User Guide, "Service-linked roles")' },
  { action: 'cloudwatch:PutMetricAlarm', on: 'target-tracking-alarms', why: 'the target tracking alarms', impliedBy: BY_PUT_SCALING_POLICY },
  { action: 'cloudwatch:DescribeAlarms', on: 'target-tracking-alarms', why: 'the target tracking alarms', impliedBy: BY_PUT_SCALING_POLICY },
  { action: 'cloudwatch:DeleteAlarms', on: 'target-tracking-alarms', why: 'the target tracking alarms replaced', impliedBy: BY_PUT_SCALING_POLICY },
  { action: 'dynamodb:UpdateItem', on: 'app-table', why: 'reclaims the deploy claim after a redrive; numbers a release (the counter and the release item)' },
  { action: 'dynamodb:Query', on: 'app-table', why: 'a rollback\'s or redeploy\'s release: the earlier release with the same revisions (its config version)' },
  { action: 'dynamodb:PutItem', on: 'control-table', why: 'registers the waiter (the task token)' },
  { action: 'dynamodb:Query', on: 'control-table', why: 'the waiters of the service' },
  { action: 'dynamodb:UpdateItem', on: 'control-table', why: 'settles a waiter' },
  { action: 'states:SendTaskSuccess', on: 'deploy-task-token', why: 'resumes the deploy at once when the deployment already completed' },
  { action: 'states:SendTaskFailure', on: 'deploy-task-token', why: 'fails the deploy at once when the deployment already failed' },
];
