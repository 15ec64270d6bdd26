import type { ServiceModel } from '../model';
import { autoScalingService } from './autoscaling';
import { cloudWatchService } from './cloudwatch';
import { codeBuildService } from './codebuild';
import { dynamoDbService } from './dynamodb';
import { ecsService } from './ecs';
import { eventBridgeService } from './eventbridge';
import { lambdaService } from './lambda';
import { logsService } from './logs';
import { ssmService } from './ssm';
import { stepFunctionsService } from './stepfunctions';
import { stsService } from './sts';

/** Every service the endpoint answers. */
export const SERVICES: readonly ServiceModel[] = [
  stepFunctionsService,
  dynamoDbService,
  ecsService,
  ssmService,
  logsService,
  cloudWatchService,
  eventBridgeService,
  autoScalingService,
  codeBuildService,
  lambdaService,
  stsService,
];
