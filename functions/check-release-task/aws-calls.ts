import type { HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of check-release-task (functions/shared/aws-calls.ts): none, it judges the stopped task it is given. */
export const AWS_CALLS: readonly HandlerAwsCall[] = [];
