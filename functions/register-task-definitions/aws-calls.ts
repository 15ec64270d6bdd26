import { REGISTER_TASK_DEFINITION_IMPLIES, type HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of register-task-definitions (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [
  { action: 'ssm:GetParameter', on: 'settings', why: 'the app\'s settings: its processes\' task-definition templates' },
  { action: 'ssm:DescribeParameters', on: 'config-parameters', why: 'the names of the app\'s config keys (the containers\' secrets)' },
  { action: 'ecs:ListTaskDefinitions', on: 'any', why: 'the latest revisions of a family (a re-run reuses its own)' },
  { action: 'ecs:DescribeTaskDefinition', on: 'any', why: 'a revision\'s tags: which build registered it' },
  { action: 'ecs:RegisterTaskDefinition', on: 'new-task-definition', why: 'one revision per process type, tagged with the app and build' },
  ...REGISTER_TASK_DEFINITION_IMPLIES,
];
