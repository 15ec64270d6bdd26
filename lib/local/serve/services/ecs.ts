import * as ecsSdk from '@aws-sdk/client-ecs';
import { CreateServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ecs } from '../../../../functions/shared/clients';
import { sdkOperations, type ServiceModel } from '../model';
import { forwardTo } from './forward';

/**
 * ECS (awsJson1_1, `AmazonEC2ContainerServiceV20141113.<Operation>`): task definitions, services and
 * their deployments, as the simulated ECS behind the handlers' client answers them
 * (lib/local/services/ecs.ts). A deployment started here runs its planned outcome on the account's clock.
 */
export const ecsService: ServiceModel = {
  title: 'ECS',
  signingName: 'ecs',
  protocol: 'awsJson1_1',
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  errorNamespace: 'com.amazonaws.ecs',
  cors: true,
  awsOperations: () => sdkOperations(ecsSdk as unknown as Record<string, unknown>),
  operations: {
    DescribeServices: forwardTo(ecs, DescribeServicesCommand, { required: ['services'], members: { cluster: 'string', services: 'list', include: 'list' } }),
    DescribeTaskDefinition: forwardTo(ecs, DescribeTaskDefinitionCommand, { required: ['taskDefinition'], members: { taskDefinition: 'string', include: 'list' } }),
    ListTaskDefinitions: forwardTo(ecs, ListTaskDefinitionsCommand, { members: { familyPrefix: 'string', status: 'string', sort: 'string', maxResults: 'number', nextToken: 'string' } }),
    RegisterTaskDefinition: forwardTo(ecs, RegisterTaskDefinitionCommand, { required: ['family', 'containerDefinitions'], members: { family: 'string', containerDefinitions: 'list', tags: 'list' } }),
    CreateService: forwardTo(ecs, CreateServiceCommand, { required: ['serviceName'], members: { cluster: 'string', serviceName: 'string', taskDefinition: 'string', desiredCount: 'number' } }),
    UpdateService: forwardTo(ecs, UpdateServiceCommand, { required: ['service'], members: { cluster: 'string', service: 'string', taskDefinition: 'string', desiredCount: 'number' } }),
    DescribeTasks: {
      required: ['tasks'],
      members: { cluster: 'string', tasks: 'list' },
      // The simulated account keeps no standalone tasks beyond the release tasks' results: each asked-for task is MISSING.
      run: (input) => ({ tasks: [], failures: (input.tasks as unknown[]).map((t) => ({ arn: String(t), reason: 'MISSING' })) }),
    },
  },
};
