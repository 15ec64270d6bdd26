import {
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type DescribeTaskDefinitionCommandOutput,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Secret,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { REVISION_LOOKBACK } from '../../domain/constants';
import { TAG_CONFIG_CHANGE } from '../../domain/names';
import { awsCall, UnexpectedResponse } from './errors';

/*
 * Task-definition revisions that Slipway registers: for a build (register-task-definitions) and for a
 * config change (register-config-revisions). Both find the revision they registered before (a redrive or
 * a duplicate event) the same way, {@link findOwnRevision}, and register the same way, {@link registerRevision}.
 */

/**
 * The revision this pipeline registered before, among the family's {@link REVISION_LOOKBACK} newest
 * ACTIVE revisions: the first whose description (with its tags) `isOwn` accepts, else undefined.
 */
export async function findOwnRevision(client: ECSClient, family: string, isOwn: (described: DescribeTaskDefinitionCommandOutput) => boolean): Promise<string | undefined> {
  const listed = await awsCall(`ECS ListTaskDefinitions ${family}`, () =>
    client.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: REVISION_LOOKBACK, status: 'ACTIVE' })),
  );
  for (const arn of listed.taskDefinitionArns ?? []) {
    const described = await awsCall(`ECS DescribeTaskDefinition ${arn}`, () => client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })));
    if (isOwn(described)) return described.taskDefinition?.taskDefinitionArn ?? arn;
  }
  return undefined;
}

/**
 * Registers a revision and returns its ARN.
 * @throws InvalidInput when ECS returns no ARN (a malformed answer: nothing a retry would change).
 */
export async function registerRevision(client: ECSClient, request: RegisterTaskDefinitionCommandInput): Promise<string> {
  const registered = await awsCall(`ECS RegisterTaskDefinition ${request.family}`, () => client.send(new RegisterTaskDefinitionCommand(request)));
  const arn = registered.taskDefinition?.taskDefinitionArn;
  if (!arn) throw new UnexpectedResponse(`ECS RegisterTaskDefinition returned no ARN for ${request.family}`);
  return arn;
}

/** The parameter name inside a `valueFrom` (a parameter ARN or name). */
export function parameterNameOf(valueFrom: string): string {
  const at = valueFrom.indexOf(':parameter/');
  return at >= 0 ? valueFrom.slice(at + ':parameter'.length) : valueFrom;
}

/** Whether a secret reads one of the app's config keys. */
export function isConfigSecret(secret: Secret, configPath: string): boolean {
  return parameterNameOf(secret.valueFrom ?? '').startsWith(`${configPath}/`);
}

/**
 * The container's secrets with the config keys replaced by the ones that exist now (sorted by name):
 * a created key appears, a deleted key disappears, secrets from elsewhere stay.
 */
export function mergeSecrets(existing: readonly Secret[] | undefined, config: readonly Secret[], configPath: string): Secret[] {
  const others = (existing ?? []).filter((s) => !isConfigSecret(s, configPath));
  const names = new Set(others.map((s) => s.name));
  return [...others, ...[...config].filter((s) => !names.has(s.name)).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))];
}

/**
 * A RegisterTaskDefinition request that copies the current revision (what DescribeTaskDefinition
 * returned, minus the fields ECS sets itself) with the process container's secrets set to `config`,
 * tagged with the config-change execution so a re-run reuses it.
 */
export function configRevisionRequest(current: TaskDefinition, tags: readonly Tag[], process: string, config: readonly Secret[], configPath: string, execution: string): RegisterTaskDefinitionCommandInput {
  const containers = current.containerDefinitions ?? [];
  const target = containers.some((c) => c.name === process) ? process : containers[0]?.name;
  const containerDefinitions: ContainerDefinition[] = containers.map((c) => {
    if (c.name !== target) return c;
    const secrets = mergeSecrets(c.secrets, config, configPath);
    return { ...c, secrets: secrets.length > 0 ? secrets : undefined };
  });
  return {
    family: current.family,
    taskRoleArn: current.taskRoleArn,
    executionRoleArn: current.executionRoleArn,
    networkMode: current.networkMode,
    containerDefinitions,
    volumes: current.volumes,
    placementConstraints: current.placementConstraints,
    requiresCompatibilities: current.requiresCompatibilities,
    cpu: current.cpu,
    memory: current.memory,
    pidMode: current.pidMode,
    ipcMode: current.ipcMode,
    proxyConfiguration: current.proxyConfiguration,
    inferenceAccelerators: current.inferenceAccelerators,
    ephemeralStorage: current.ephemeralStorage,
    runtimePlatform: current.runtimePlatform,
    tags: [...tags.filter((t) => t.key !== TAG_CONFIG_CHANGE), { key: TAG_CONFIG_CHANGE, value: execution }],
  };
}
