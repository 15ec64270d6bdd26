import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AWS_EVENTS } from '../helpers/fixtures';
import { appSettingsSchema, type AppSettings, type AppSettingsInput } from '../../domain/settings';

// Handlers build their Powertools logger at import time; keep test output quiet. Test files import this
// module before any handler, so the variable is set when the loggers are created.
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'SILENT';

/** The example app's table (named in its settings parameter). */
export const TABLE_NAME = 'slipway-example-app';
/** The shared control plane's table (CONTROL_TABLE_NAME): waiters. */
export const CONTROL_TABLE = 'slipway-production-control';
export const PREFIX = 'slipway';
/** The example app's settings parameter. */
export const SETTINGS_PARAMETER = '/slipway/apps/example/settings';
export const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/slipway';
export const ACCOUNT = '123456789012';
export const IMAGE_REPOSITORY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/slipway-example';

/**
 * Sets the environment variables every handler reads, and clears the optional ones (the app's config
 * path and schedule settings) so a test sees the handler's defaults unless it sets them itself, even
 * when the parent process (a local run, the bench) left them set.
 */
export function setHandlerEnv(): void {
  process.env.SLIPWAY_PREFIX = PREFIX;
  process.env.CONTROL_TABLE_NAME = CONTROL_TABLE;
  process.env.CLUSTER_ARN = CLUSTER_ARN;
  for (const gone of ['TABLE_NAME', 'APP_NAME', 'PARAMETER_PATH', 'DEBOUNCE_SECONDS', 'SCHEDULE_GROUP', 'SCHEDULER_ROLE_ARN', 'SCHEDULES_DLQ_ARN']) delete process.env[gone];
}

/** SSM GetParameter's answer for an app's settings parameter holding `settings` (as the app stack writes it). */
export function settingsParameterOutput(settings: AppSettingsInput): { Parameter: { Name: string; Type: 'String'; Value: string; Version: number } } {
  return { Parameter: { Name: `/slipway/apps/${settings.app}/settings`, Type: 'String', Value: JSON.stringify(settings), Version: 1 } };
}

/**
 * A handler test's fresh start: every mock reset, the control plane's environment set
 * ({@link setHandlerEnv}), and the example app's settings parameter answering GetParameter with
 * {@link settingsInput}'s settings.
 */
export function resetForHandler(ssmMock: AwsClientStub<SSMClient>, ...otherMocks: { reset(): unknown }[]): void {
  for (const m of otherMocks) m.reset();
  ssmMock.reset();
  setHandlerEnv();
  ssmMock.on(GetParameterCommand, { Name: SETTINGS_PARAMETER }).resolves(settingsParameterOutput(settingsInput()));
}

/** Task-definition revision ARN of a family. */
export function taskDefArn(family: string, revision: number): string {
  return `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${family}:${revision}`;
}

/**
 * A valid settings input (as the app stack writes it): a `web` process behind a load balancer with
 * autoscaling, and a `worker` process without either. `overrides` replaces top-level keys.
 */
export function settingsInput(overrides: Partial<AppSettingsInput> = {}): AppSettingsInput {
  return {
    app: 'example',
    region: 'eu-west-1',
    table: TABLE_NAME,
    controlPlane: 'production',
    cluster: CLUSTER_ARN,
    imageRepositoryUri: IMAGE_REPOSITORY,
    codeBuildProject: 'slipway-example',
    network: { subnets: ['subnet-aaa', 'subnet-bbb'], securityGroups: ['sg-app'], assignPublicIp: 'DISABLED' },
    capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }],
    processes: {
      web: {
        family: 'slipway-example--web',
        cpu: '256',
        memory: '512',
        port: 8080,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/example-execution`,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/example-task`,
        logGroup: '/slipway/example/web',
        environment: [{ name: 'PORT', value: '8080' }],
        secrets: [{ name: 'DATABASE_URL', valueFrom: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/example/DATABASE_URL` }],
        desiredCount: 2,
        targetGroupArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/example--web/0123456789abcdef`,
        autoscaling: { min: 1, max: 4, cpuTarget: 70 },
      },
      worker: {
        family: 'slipway-example--worker',
        cpu: '256',
        memory: '512',
        command: ['bin/worker'],
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/example-execution`,
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/example-task`,
        logGroup: '/slipway/example/worker',
        desiredCount: 1,
      },
    },
    ...overrides,
  };
}

/** Valid settings, with the schema's defaults applied (what the handlers see). */
export function buildSettings(overrides: Partial<AppSettingsInput> = {}): AppSettings {
  return appSettingsSchema.parse(settingsInput(overrides));
}


/** An error shaped like an AWS SDK service exception with the given name. */
export function awsError(name: string, message = `${name} (test)`): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { $metadata: { httpStatusCode: 400 } });
}

const REPO_EVENTS = path.resolve(__dirname, '..', 'fixtures', 'events');

/** A real published AWS event from test/fixtures/aws-events (a fresh copy each call). */
export function awsEvent<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(path.join(AWS_EVENTS, file), 'utf8')) as T;
}

/** An event from the repository's own test/fixtures/events (a fresh copy each call). */
export function repoEvent<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(path.join(REPO_EVENTS, file), 'utf8')) as T;
}

/** A waiter as the app's table stores it (pk WAITER, sk `<service>#<deployment id>`). */
export { waiterItem } from '../../functions/shared/waiters';
