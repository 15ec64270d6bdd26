import type { HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of sync-schedules (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [
  { action: 'ssm:GetParameter', on: 'settings', why: 'the app\'s settings' },
  { action: 'ssm:GetParameter', on: 'schedules-parameter', why: 'the app\'s schedules list' },
  { action: 'dynamodb:GetItem', on: 'app-table', why: 'the current release (the revisions the schedules run)' },
  { action: 'scheduler:ListSchedules', on: 'any', why: 'the schedules in the app\'s group' },
  { action: 'scheduler:GetSchedule', on: 'app-schedules', why: 'a schedule\'s target, to compare' },
  { action: 'scheduler:CreateSchedule', on: 'app-schedules', why: 'a new schedule' },
  { action: 'scheduler:UpdateSchedule', on: 'app-schedules', why: 'a changed schedule' },
  { action: 'scheduler:DeleteSchedule', on: 'app-schedules', why: 'a removed schedule' },
  { action: 'iam:PassRole', on: 'scheduler-role', why: 'the schedule\'s target role', impliedBy: 'CreateSchedule/UpdateSchedule with Target.RoleArn (EventBridge Scheduler User Guide, "Using identity-based policies": iam:PassRole)' },
];
