import * as z from 'zod/mini';
import { ecs } from '../shared/aws/ecs';
import { controlPlanePrefix, settingsOf } from '../shared/control-plane-context';
import { APP_NAME, appParameterPath, configParameterPath } from '../../domain/names';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { parseInput } from '../shared/validation';
import { SettingsNotFound } from '../shared/errors';
import { findReusableRevision, taskDefinitionRequest, type BuildRef } from './task-definition';
import { configSecrets } from '../shared/config-secrets';
import { findOwnRevision, mergeSecrets, registerRevision } from '../shared/revisions';

const logger = createLogger('register-task-definitions');

export const inputSchema = z.object({
  /** The app the build is for: its settings come from its settings parameter. */
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
  build: z.object({ buildKey: z.string().check(z.minLength(1)), image: z.string().check(z.minLength(1)), commit: z.optional(z.string()) }),
});

/** One process type's revision for the build. */
export interface RegisteredProcess {
  readonly name: string;
  readonly taskDefinitionArn: string;
  readonly reused: boolean;
}

/** What the release pipeline needs to run the release task (absent: the app has no release phase). */
export interface ReleasePlan {
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly command: string[];
  readonly subnets: string[];
  readonly securityGroups: string[];
  readonly assignPublicIp: 'ENABLED' | 'DISABLED';
  readonly capacityProviderStrategy: { CapacityProvider: string; Weight: number; Base: number }[];
  readonly logGroup: string;
  readonly region: string;
  readonly essentialContainers: string[];
}

/** Output of the handler. */
export interface RegisterResult {
  readonly processes: RegisteredProcess[];
  readonly release: ReleasePlan | null;
  readonly deployTimeoutSeconds: number;
}

/** The revision registered for this build before (a redrive or a duplicate event), else a new one. */
async function registerOrReuse(family: string, build: BuildRef, register: () => Promise<string>): Promise<{ arn: string; reused: boolean }> {
  const reusable = await findOwnRevision(ecs, family, (described) => findReusableRevision([described], build) !== undefined);
  return reusable ? { arn: reusable, reused: true } : { arn: await register(), reused: false };
}

/**
 * Registers one task-definition revision per process type with the build's image, reusing a revision
 * already registered for the same build (safe to re-run under redrive).
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<RegisterResult> {
  addLambdaContext(context);
  const { app, build } = parseInput(inputSchema, event, 'register-task-definitions input');
  const settings = await settingsOf(app);
  const ref: BuildRef = { key: build.buildKey, image: build.image, commit: build.commit };
  // The app's config keys (`slipway config set`) that exist now become the containers' secrets.
  const appPath = appParameterPath(controlPlanePrefix(), app);
  const config = await configSecrets(configParameterPath(appPath));
  const processes: RegisteredProcess[] = [];
  for (const [name, settingsOfProcess] of Object.entries(settings.processes)) {
    const p = { ...settingsOfProcess, secrets: mergeSecrets(settingsOfProcess.secrets, config, configParameterPath(appPath)).map((s) => ({ name: s.name ?? '', valueFrom: s.valueFrom ?? '' })) };
    const { arn, reused } = await registerOrReuse(p.family, ref, () => registerRevision(ecs, taskDefinitionRequest(settings, name, p, ref)));
    processes.push({ name, taskDefinitionArn: arn, reused });
  }
  let release: ReleasePlan | null = null;
  if (settings.release) {
    const proc = processes.find((p) => p.name === settings.release?.process);
    const p = settings.processes[settings.release.process];
    if (!proc || !p) throw new SettingsNotFound(`the app's settings name release process "${settings.release.process}", which is not one of the app's processes: redeploy the app stack of ${settings.app}`);
    release = {
      taskDefinitionArn: proc.taskDefinitionArn,
      containerName: proc.name,
      command: settings.release.command,
      subnets: settings.network.subnets,
      securityGroups: settings.network.securityGroups,
      assignPublicIp: settings.network.assignPublicIp,
      capacityProviderStrategy: settings.capacityProviderStrategy.map((c) => ({ CapacityProvider: c.capacityProvider, Weight: c.weight, Base: c.base })),
      logGroup: p.logGroup,
      region: settings.region,
      essentialContainers: [proc.name],
    };
  }
  logger.info('task definitions ready', { build: ref.key, processes });
  return { processes, release, deployTimeoutSeconds: settings.deployTimeoutSeconds };
}
