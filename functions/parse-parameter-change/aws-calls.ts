import type { HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of parse-parameter-change (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [{ action: 'ssm:GetParameter', on: 'settings', why: 'the settings of the app whose parameter changed' }];
