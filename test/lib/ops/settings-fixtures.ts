/**
 * Apps on one shared control plane as the CLI finds them: each app's settings parameter
 * `/slipway/apps/<app>/settings` (what the app stack writes: its table, control plane, processes), served
 * by a mocked SSM client (aws-sdk-client-mock). The control plane is the cluster "production": its state
 * machines are `slipway-production-<pipeline>`, shared by every app.
 */
import { GetParameterCommand, ParameterNotFound } from '@aws-sdk/client-ssm';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { AppSettingsInput } from '../../../domain/settings';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const CONTROL_PLANE = 'production';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/slipway-production`;

/** The app's table (a generated CloudFormation name, different for each app). */
export const tableOf = (app: string) => `Slipway-App-${app}-PipelinesTable1234${app.length}`;
export const settingsParameter = (app: string) => `/slipway/apps/${app}/settings`;
export const stateMachineArn = (pipeline: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-${CONTROL_PLANE}-${pipeline}`;
/** An execution of the shared state machine of `pipeline`. */
export const sharedExecArn = (pipeline: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-${CONTROL_PLANE}-${pipeline}:${name}`;

const processSettings = (app: string, process: string) => ({
  family: `slipway-${app}-${process}`,
  cpu: '256',
  memory: '512',
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${app}-exec`,
  taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/${app}-task`,
  logGroup: `/slipway/apps/${app}`,
  desiredCount: 1,
});

/** The settings the app stack writes for `app` (processes web and worker). */
export function settingsFor(app: string, over: Partial<AppSettingsInput> = {}): AppSettingsInput {
  return {
    app,
    region: REGION,
    table: tableOf(app),
    controlPlane: CONTROL_PLANE,
    cluster: CLUSTER_ARN,
    imageRepositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/${app}`,
    codeBuildProject: `slipway-${app}`,
    network: { subnets: ['subnet-a', 'subnet-b'], securityGroups: [`sg-${app}`], assignPublicIp: 'DISABLED' },
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
    release: { process: 'web', command: ['bin/rails', 'db:migrate'] },
    processes: { worker: processSettings(app, 'worker'), web: processSettings(app, 'web') },
    ...over,
  };
}

/** Serves each app's settings parameter (any other name: ParameterNotFound, as SSM answers). */
export function serveSettings(ssm: AwsStub<any, any, any>, apps: Record<string, AppSettingsInput | string>): void {
  ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }) => {
    const app = Object.keys(apps).find((a) => settingsParameter(a) === input.Name);
    if (app === undefined) throw new ParameterNotFound({ message: '', $metadata: {} });
    const value = apps[app];
    return {
      Parameter: { Name: input.Name, Type: 'String', Value: typeof value === 'string' ? value : JSON.stringify(value), Version: 1, ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${input.Name}` },
    };
  });
}
