import * as ssmSdk from '@aws-sdk/client-ssm';
import { DeleteParameterCommand, DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { ssm } from '../../../../functions/shared/clients';
import { sdkOperations, type ServiceModel } from '../model';
import { forwardTo } from './forward';

/**
 * Parameter Store (SSM, awsJson1_1, `AmazonSSM.<Operation>`), as the simulated store behind the
 * handlers' client answers it (lib/local/services/ssm.ts): a change under `/<prefix>/apps/` emits
 * the Parameter Store Change event the control plane's rule turns into a config-change execution.
 */
export const ssmService: ServiceModel = {
  title: 'SSM',
  signingName: 'ssm',
  protocol: 'awsJson1_1',
  targetPrefix: 'AmazonSSM',
  errorNamespace: 'com.amazonaws.ssm',
  cors: true,
  awsOperations: () => sdkOperations(ssmSdk as unknown as Record<string, unknown>),
  operations: {
    GetParameter: forwardTo(ssm, GetParameterCommand, { required: ['Name'], members: { Name: 'string', WithDecryption: 'boolean' } }),
    PutParameter: forwardTo(ssm, PutParameterCommand, { required: ['Name', 'Value'], members: { Name: 'string', Value: 'string', Type: 'string', Overwrite: 'boolean', Tier: 'string' } }),
    DeleteParameter: forwardTo(ssm, DeleteParameterCommand, { required: ['Name'], members: { Name: 'string' } }),
    DeleteParameters: forwardTo(ssm, DeleteParametersCommand, { required: ['Names'], members: { Names: 'list' } }),
    GetParametersByPath: forwardTo(ssm, GetParametersByPathCommand, { required: ['Path'], members: { Path: 'string', Recursive: 'boolean', WithDecryption: 'boolean', MaxResults: 'number', NextToken: 'string' } }),
    DescribeParameters: forwardTo(ssm, DescribeParametersCommand, { members: { ParameterFilters: 'list', MaxResults: 'number', NextToken: 'string' } }),
  },
};
