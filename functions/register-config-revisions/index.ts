import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import * as z from 'zod/mini';
import { configParameterPath } from '../shared/app-parameters';
import { configSecrets } from '../shared/config-secrets';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { awsCall, getStringFromEnv, InvalidInput } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { getAppSettings } from '../shared/settings-store';
import { parseInput } from '../shared/validation';
import { configRevisionRequest, TAG_CONFIG_CHANGE } from './revision';

const logger = createLogger('register-config-revisions');

const inputSchema = z.object({
  /** Name of the config-change execution: tags the revisions, so a redrive reuses them. */
  execution: z.string().check(z.minLength(1), z.maxLength(80)),
});

const releaseProcessesSchema = z.array(z.object({ process: z.string(), taskDefinitionArn: z.string().check(z.minLength(1)) }));

/** The deploy state machine's input for a redeploy of the current release, or why there is none. */
export type ConfigRedeploy =
  | { readonly state: 'NO_RELEASE'; readonly reason: string }
  | {
      readonly state: 'READY';
      readonly build: { buildKey: string; sortKey: string; image: string; commit: string };
      readonly processes: { name: string; taskDefinitionArn: string }[];
      readonly deployTimeoutSeconds: number;
      /** The config keys the new revisions read. */
      readonly keys: string[];
    };

/** A revision this execution registered before (a redrive), among the family's newest. */
async function findOwnRevision(family: string, execution: string): Promise<string | undefined> {
  const listed = await awsCall(`ECS ListTaskDefinitions ${family}`, () => ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: 'DESC', maxResults: 3 })));
  for (const arn of listed.taskDefinitionArns ?? []) {
    const d = await awsCall(`ECS DescribeTaskDefinition ${arn}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })));
    if (d.tags?.some((t) => t.key === TAG_CONFIG_CHANGE && t.value === execution)) return arn;
  }
  return undefined;
}

/**
 * Registers, for each process of the app's current release (pk RELEASE, sk CURRENT), a new revision of
 * its task definition whose `secrets` are the config keys that exist now, and returns the deploy
 * state machine's input for the same build (so the deploy's "never older" checks let it through).
 */
export async function handler(event: unknown): Promise<ConfigRedeploy> {
  const input = parseInput(inputSchema, event, 'register-config-revisions input');
  const tableName = getStringFromEnv('TABLE_NAME');
  const configPath = configParameterPath(getStringFromEnv('PARAMETER_PATH'));
  const settings = await getAppSettings(dynamodb, tableName);
  const current = await awsCall(`DynamoDB GetItem RELEASE/CURRENT on ${tableName}`, () =>
    dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } }, ConsistentRead: true })),
  );
  const item = current.Item;
  if (!item?.buildKey?.S || !item.processes?.S) return { state: 'NO_RELEASE', reason: `${settings.app} has no release yet: the next deploy will read the config` };
  let processes;
  try {
    processes = releaseProcessesSchema.parse(JSON.parse(item.processes.S));
  } catch {
    throw new InvalidInput(`the current release of ${settings.app} (RELEASE/CURRENT in ${tableName}) has no readable processes list: deploy a build first`);
  }
  const secrets = await configSecrets(configPath);
  const out: { name: string; taskDefinitionArn: string }[] = [];
  for (const p of processes) {
    const family = settings.processes[p.process]?.family;
    const reused = family ? await findOwnRevision(family, input.execution) : undefined;
    if (reused) {
      out.push({ name: p.process, taskDefinitionArn: reused });
      continue;
    }
    const described = await awsCall(`ECS DescribeTaskDefinition ${p.taskDefinitionArn}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: p.taskDefinitionArn, include: ['TAGS'] })));
    if (!described.taskDefinition) throw new InvalidInput(`ECS returned no task definition for ${p.taskDefinitionArn}`);
    const request = configRevisionRequest(described.taskDefinition, described.tags ?? [], p.process, secrets, configPath, input.execution);
    const registered = await awsCall(`ECS RegisterTaskDefinition ${request.family}`, () => ecs.send(new RegisterTaskDefinitionCommand(request)));
    const arn = registered.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new InvalidInput(`ECS RegisterTaskDefinition returned no ARN for ${request.family}`);
    logger.info('registered a config revision', { process: p.process, taskDefinitionArn: arn, keys: secrets.map((s) => s.name) });
    out.push({ name: p.process, taskDefinitionArn: arn });
  }
  return {
    state: 'READY',
    build: { buildKey: item.buildKey.S, sortKey: item.buildSortKey?.S ?? item.buildKey.S.padStart(10, '0'), image: item.image?.S ?? '', commit: item.commit?.S ?? '' },
    processes: out,
    deployTimeoutSeconds: settings.deployTimeoutSeconds,
    keys: secrets.map((s) => s.name ?? ''),
  };
}
