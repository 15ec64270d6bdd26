import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, Secret, Tag, TaskDefinition } from '@aws-sdk/client-ecs';

/** Tag on a revision registered by a config change: the config-change execution's name. */
export const TAG_CONFIG_CHANGE = 'slipway:config-change';

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
