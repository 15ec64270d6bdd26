import { REGISTER_TASK_DEFINITION_IMPLIES, type HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of register-config-revisions (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [
  { action: 'ssm:GetParameter', on: 'settings', why: 'the app\'s settings' },
  { action: 'ssm:DescribeParameters', on: 'config-parameters', why: 'the config keys that exist now' },
  { action: 'states:ListExecutions', on: 'pipeline-state-machines', why: 'the running deploys and releases (the app\'s must finish first)' },
  { action: 'states:DescribeExecution', on: 'app-executions', why: 'the input of a running deploy or release: whose it is' },
  { action: 'dynamodb:GetItem', on: 'app-table', why: 'the current release' },
  { action: 'ecs:ListTaskDefinitions', on: 'any', why: 'the latest revisions of a family (a re-run reuses its own)' },
  { action: 'ecs:DescribeTaskDefinition', on: 'any', why: 'the current release\'s revisions, and a revision\'s tags' },
  { action: 'ecs:RegisterTaskDefinition', on: 'new-task-definition', why: 'one revision per process type with the current config, tagged with the app' },
  ...REGISTER_TASK_DEFINITION_IMPLIES,
];
