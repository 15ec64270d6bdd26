import type { HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of execution-status (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [
  { action: 'ssm:GetParameter', on: 'settings', why: 'the settings (table) of the app whose execution changed status' },
  { action: 'states:GetExecutionHistory', on: 'all-executions', why: 'the failed step and its cause' },
  { action: 'states:DescribeExecution', on: 'all-executions', why: 'the input (app, build) of an execution' },
  { action: 'states:ListExecutions', on: 'all-state-machines', why: 'the sweep: executions whose status event was missed' },
  { action: 'dynamodb:GetItem', on: 'app-table', why: 'whether the status change was already processed, and the build\'s failure history before it is extended' },
  { action: 'dynamodb:PutItem', on: 'app-table', why: 'records the failure' },
  { action: 'dynamodb:GetItem', on: 'sweep-mark', why: 'the sweep\'s high-water mark' },
  { action: 'dynamodb:PutItem', on: 'sweep-mark', why: 'moves the sweep\'s high-water mark' },
  { action: 'dynamodb:UpdateItem', on: 'app-table', why: 'the build record, and releases the deploy claim' },
  { action: 'events:PutEvents', on: 'milestone-bus', why: 'announces the failure or the redrive' },
];
