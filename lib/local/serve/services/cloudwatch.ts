import * as cwSdk from '@aws-sdk/client-cloudwatch';
import { sdkOperations, type ServiceModel } from '../model';

/**
 * CloudWatch (awsJson1_0 with awsQuery-compatible errors, `GraniteServiceVersion20100801.<Operation>`,
 * as @aws-sdk/client-cloudwatch 3.11xx speaks it): the account has no alarms in the simulation.
 */
export const cloudWatchService: ServiceModel = {
  title: 'CloudWatch',
  signingName: 'monitoring',
  protocol: 'awsJson1_0',
  targetPrefix: 'GraniteServiceVersion20100801',
  errorNamespace: 'com.amazonaws.cloudwatch',
  queryCompatible: true,
  cors: true,
  awsOperations: () => sdkOperations(cwSdk as unknown as Record<string, unknown>),
  operations: {
    DescribeAlarms: {
      members: { AlarmNames: 'list', AlarmNamePrefix: 'string', AlarmTypes: 'list', StateValue: 'string', MaxRecords: 'number', NextToken: 'string' },
      run: () => ({ MetricAlarms: [], CompositeAlarms: [] }),
    },
  },
};
