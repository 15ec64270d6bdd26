import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import * as z from 'zod/mini';
import { appOfScopedName, appParameterPath, configParameterPath, isNumberedExecutionOf, TAG_CONFIG_CHANGE, APP_NAME } from '../../domain/names';
import { dynamoKey, readCurrentRelease, RELEASE_CURRENT } from '../../domain/table';
import { appOfExecutionInput } from '../../domain/executions';
import { configSecrets } from '../shared/config-secrets';
import { dynamodb } from '../shared/aws/dynamodb';
import { ecs } from '../shared/aws/ecs';
import { awsCall, InvalidInput, UnexpectedResponse } from '../shared/errors';
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { sfn } from '../shared/aws/sfn';
import { controlPlanePrefix, settingsOf, stateMachineArns } from '../shared/control-plane-context';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { parseInput } from '../shared/validation';
import { configRevisionRequest, findOwnRevision, registerRevision } from '../shared/revisions';

const logger = createLogger('register-config-revisions');

export const inputSchema = z.object({
  /** The app whose current release is redeployed. */
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
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

export const runningSchema = z.object({
  action: z.literal('findRunningPipelines'),
  app: z.string().check(z.regex(APP_NAME, 'must be an app name')),
});

/** How many running executions of the app's deploys and releases the shared state machines hold. */
export interface RunningPipelines {
  readonly deploys: number;
  readonly releases: number;
}

/**
 * Whether an execution is the app's: by its name where the name says it (`<app>--<build>-<pipeline>`,
 * build a number), else from its input (config redeploys, `<app>--config-<event id>`, and the CLI's deploys).
 */
async function isExecutionOf(x: ExecutionListItem, prefix: string, pipeline: 'deploy' | 'release', app: string): Promise<boolean> {
  if (isNumberedExecutionOf(x.name ?? '', app, pipeline)) return true;
  // Deploys are named under their app (`<app>--...`; the deploy refuses any other name): another app's name
  // is not this app's, whatever its input.
  const named = appOfScopedName(x.name ?? '');
  if (named !== undefined && named !== app) return false;
  if (!x.executionArn) return false;
  const d = await awsCall('Step Functions DescribeExecution', () => sfn.send(new DescribeExecutionCommand({ executionArn: x.executionArn })));
  let input: unknown;
  try {
    input = JSON.parse(d.input ?? '{}');
  } catch {
    return false;
  }
  return appOfExecutionInput(prefix, input) === app;
}

/**
 * The app's running deploys and releases on the shared state machines (STATE_MACHINE_ARNS): a config
 * change waits for them, not for other apps'. ListExecutions has no filter by name or input, so each
 * running execution's app is read from its name or its input (DescribeExecution).
 */
export async function findRunningPipelines(app: string): Promise<RunningPipelines> {
  const prefix = controlPlanePrefix();
  const arns = stateMachineArns();
  const count = async (pipeline: 'deploy' | 'release'): Promise<number> => {
    let n = 0;
    let nextToken: string | undefined;
    do {
      const page = await awsCall(`Step Functions ListExecutions ${pipeline}`, () =>
        sfn.send(new ListExecutionsCommand({ stateMachineArn: arns[pipeline], statusFilter: 'RUNNING', maxResults: 100, nextToken })),
      );
      for (const x of page.executions ?? []) if (await isExecutionOf(x, prefix, pipeline, app)) n += 1;
      nextToken = page.nextToken;
    } while (nextToken);
    return n;
  };
  return { deploys: await count('deploy'), releases: await count('release') };
}

/**
 * Registers, for each process of the app's current release (pk RELEASE, sk CURRENT), a new revision of
 * its task definition whose `secrets` are the config keys that exist now, and returns the deploy
 * state machine's input for the same build (so the deploy's "never older" checks let it through).
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<ConfigRedeploy | RunningPipelines> {
  addLambdaContext(context);
  if (event !== null && typeof event === 'object' && (event as { action?: unknown }).action === 'findRunningPipelines') {
    const { app } = parseInput(runningSchema, event, 'register-config-revisions input (findRunningPipelines)');
    const running = await findRunningPipelines(app);
    logger.info('running pipelines of the app', { app, ...running });
    return running;
  }
  const input = parseInput(inputSchema, event, 'register-config-revisions input');
  const settings = await settingsOf(input.app);
  const tableName = settings.table;
  const configPath = configParameterPath(appParameterPath(controlPlanePrefix(), input.app));
  const current = await awsCall(`DynamoDB GetItem RELEASE/CURRENT on ${tableName}`, () =>
    dynamodb.send(new GetItemCommand({ TableName: tableName, Key: dynamoKey(RELEASE_CURRENT), ConsistentRead: true })),
  );
  const item = readCurrentRelease(current.Item);
  if (!item?.processes) return { state: 'NO_RELEASE', reason: `${settings.app} has no release yet: the next deploy will read the config` };
  let processes;
  try {
    processes = releaseProcessesSchema.parse(JSON.parse(item.processes));
  } catch {
    throw new InvalidInput(`the current release of ${settings.app} (RELEASE/CURRENT in ${tableName}) has no readable processes list: deploy a build first`);
  }
  const secrets = await configSecrets(configPath);
  const out: { name: string; taskDefinitionArn: string }[] = [];
  for (const p of processes) {
    const family = settings.processes[p.process]?.family;
    const reused = family ? await findOwnRevision(ecs, family, (d) => d.tags?.some((t) => t.key === TAG_CONFIG_CHANGE && t.value === input.execution) ?? false) : undefined;
    if (reused) {
      out.push({ name: p.process, taskDefinitionArn: reused });
      continue;
    }
    const described = await awsCall(`ECS DescribeTaskDefinition ${p.taskDefinitionArn}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: p.taskDefinitionArn, include: ['TAGS'] })));
    if (!described.taskDefinition) throw new UnexpectedResponse(`ECS returned no task definition for ${p.taskDefinitionArn}`);
    // Into the family the app's settings name now (a release registered before an upgrade of the names is
    // of the legacy family `<prefix>-<app>-<process>`: its config redeploy moves to the app's own family).
    const request = { ...configRevisionRequest(described.taskDefinition, described.tags ?? [], p.process, secrets, configPath, input.execution), ...(family ? { family } : {}) };
    const arn = await registerRevision(ecs, request);
    logger.info('registered a config revision', { process: p.process, taskDefinitionArn: arn, keys: secrets.map((s) => s.name) });
    out.push({ name: p.process, taskDefinitionArn: arn });
  }
  return {
    state: 'READY',
    build: { buildKey: item.buildKey, sortKey: item.buildSortKey, image: item.image ?? '', commit: item.commit ?? '' },
    processes: out,
    deployTimeoutSeconds: settings.deployTimeoutSeconds,
    keys: secrets.map((s) => s.name ?? ''),
  };
}
