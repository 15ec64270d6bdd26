import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { appRef } from '../../../lib/ops/config-keys';

/** An SSM client mocked with aws-sdk-client-mock, and the app `example` under the default prefix. */
export const ssm = new SSMClient({ region: 'eu-west-1' });
export const mock = mockClient(ssm);
export const REF = appRef('example');
