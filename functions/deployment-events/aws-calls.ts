import type { HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of deployment-events (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [
  { action: 'ssm:GetParameter', on: 'settings', why: 'an app\'s settings', notSent: 'functions/shared/control-plane-context.ts settingsOf: the waiters carry everything deployment-events needs' },
  { action: 'ecs:DescribeServices', on: 'service', why: 'the deployments of the services deploys wait on' },
  { action: 'dynamodb:Query', on: 'control-table', why: 'the waiters of a service' },
  { action: 'dynamodb:UpdateItem', on: 'control-table', why: 'settles a waiter' },
  { action: 'dynamodb:PutItem', on: 'control-table', why: 'registers a waiter', notSent: 'functions/shared/waiters.ts putWaiter: only update-service registers waiters' },
  { action: 'states:SendTaskSuccess', on: 'deploy-task-token', why: 'resumes a deploy whose deployment completed' },
  { action: 'states:SendTaskFailure', on: 'deploy-task-token', why: 'fails a deploy whose deployment failed' },
];
