import * as stsSdk from '@aws-sdk/client-sts';
import { sdkOperations, type ServiceModel } from '../model';

/** STS (awsQuery, `Action=GetCallerIdentity&Version=2011-06-15`): who the caller is in the simulated account. */
export const stsService: ServiceModel = {
  title: 'STS',
  signingName: 'sts',
  protocol: 'awsQuery',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  cors: true,
  awsOperations: () => sdkOperations(stsSdk as unknown as Record<string, unknown>),
  operations: {
    GetCallerIdentity: {
      run: (_input, { account, caller }) => {
        const id = account.run.world.spec.account;
        if (caller) return { UserId: caller.userId, Account: id, Arn: caller.arn };
        return { UserId: 'AIDASLIPWAYLOCALSERVE', Account: id, Arn: `arn:aws:iam::${id}:user/slipway-local` };
      },
    },
  },
};
