import { SSMClient } from '@aws-sdk/client-ssm';

/** The Systems Manager Parameter Store client, built once per Lambda container. */
export const ssm = new SSMClient({});
