import { SFNClient } from '@aws-sdk/client-sfn';

/** The Step Functions client, built once per Lambda container. */
export const sfn = new SFNClient({});
