import type { HandlerAwsCall } from '../shared/aws-calls';

/** Every AWS call of parse-build-event (functions/shared/aws-calls.ts). */
export const AWS_CALLS: readonly HandlerAwsCall[] = [{ action: 'ssm:GetParameter', on: 'settings', why: 'the settings of the app the build is for' }];
