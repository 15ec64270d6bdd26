import * as asSdk from '@aws-sdk/client-application-auto-scaling';
import { DeleteScheduledActionCommand, DescribeScalableTargetsCommand, DescribeScheduledActionsCommand, PutScheduledActionCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { autoscaling } from '../../../../functions/shared/clients';
import { sdkOperations, type ServiceModel } from '../model';
import { forwardTo } from './forward';

/** Application Auto Scaling (awsJson1_1, `AnyScaleFrontendService.<Operation>`), as the simulated registrations answer it (lib/local/services/autoscaling.ts). */
export const autoScalingService: ServiceModel = {
  title: 'Application Auto Scaling',
  signingName: 'application-autoscaling',
  protocol: 'awsJson1_1',
  targetPrefix: 'AnyScaleFrontendService',
  errorNamespace: 'com.amazonaws.applicationautoscaling',
  cors: true,
  awsOperations: () => sdkOperations(asSdk as unknown as Record<string, unknown>),
  operations: {
    DescribeScalableTargets: forwardTo(autoscaling, DescribeScalableTargetsCommand, { required: ['ServiceNamespace'], members: { ServiceNamespace: 'string', ResourceIds: 'list', ScalableDimension: 'string', MaxResults: 'number', NextToken: 'string' } }),
    RegisterScalableTarget: forwardTo(autoscaling, RegisterScalableTargetCommand, {
      required: ['ServiceNamespace', 'ResourceId', 'ScalableDimension'],
      members: { ServiceNamespace: 'string', ResourceId: 'string', ScalableDimension: 'string', MinCapacity: 'number', MaxCapacity: 'number' },
    }),
    DescribeScheduledActions: forwardTo(autoscaling, DescribeScheduledActionsCommand, { required: ['ServiceNamespace'], members: { ServiceNamespace: 'string', ResourceId: 'string' } }),
    PutScheduledAction: forwardTo(autoscaling, PutScheduledActionCommand, { required: ['ServiceNamespace', 'ScheduledActionName', 'ResourceId', 'ScalableDimension'], members: { ServiceNamespace: 'string', ScheduledActionName: 'string', ResourceId: 'string', Schedule: 'string' } }),
    DeleteScheduledAction: forwardTo(autoscaling, DeleteScheduledActionCommand, { required: ['ServiceNamespace', 'ScheduledActionName', 'ResourceId', 'ScalableDimension'], members: { ServiceNamespace: 'string', ScheduledActionName: 'string', ResourceId: 'string' } }),
  },
};
