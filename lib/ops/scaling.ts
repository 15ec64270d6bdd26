import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { scaleKey } from '../../domain/releases';
import { scalableTargetResourceId, SCALABLE_DIMENSION, SCALABLE_NAMESPACE, serviceName } from '../../domain/names';
import { dynamoKey } from '../../domain/table';
import { UsageError } from './usage-error';
import { aws, locateApp, type LocateOptions, type OpsClients } from './aws';
import { checkAppName, checkProcessName } from './name-checks';

/**
 * `slipway scale`: an app's process type's task range, as its service's Application Auto Scaling
 * scalable target, stored in the app's table (pk SCALE, sk the process type, domain/releases.ts) so that
 * every later deploy and config change gives the service the same range (functions/update-service reads
 * it) instead of the config's. `--reset` removes the stored range and goes back to the config's.
 */

/** The clients {@link scaleProcess} uses. */
export type ScalingClients = Pick<OpsClients, 'autoscaling' | 'ssm' | 'sts' | 'dynamodb'>;

/** A scalable range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** The outcome of `slipway scale`. */
export interface ScaleResult {
  readonly app: string;
  readonly process: string;
  readonly service: string;
  readonly resourceId: string;
  readonly previous?: Range;
  readonly range: Range;
  /** Whether the range is stored for later deploys (false after --reset: the config's range applies). */
  readonly stored: boolean;
}

/** Options of {@link scaleProcess}: a range, or `reset` to go back to the config's. */
export interface ScaleOptions extends LocateOptions {
  readonly app: string;
  readonly process: string;
  readonly range?: Range;
  readonly reset?: boolean;
  /** When the range was set (the stored item's `setAt`). @default now */
  readonly now?: Date;
}

/** Thrown when the range is applied but could not be stored (the next deploy would undo it). */
export class ScaleNotStored extends Error {
  public override readonly name = 'ScaleNotStored';
}

/**
 * Sets the task range of an app's process type: registers the service's scalable target
 * (`service/<cluster>/<app>--<process>`, the cluster from the app's settings) with the range, then stores
 * it in the app's table. Application Auto Scaling moves the desired count into the range.
 * @throws UsageError when the names are invalid or the process type is not the app's
 */
export async function scaleProcess(clients: ScalingClients, options: ScaleOptions): Promise<ScaleResult> {
  checkAppName(options.app);
  checkProcessName(options.process);
  if (!options.range === !options.reset) throw new UsageError('slipway scale takes a range (<min> or <min>-<max>) or --reset, not both');
  const { autoscaling } = clients;
  if (!autoscaling) throw new UsageError('slipway scale needs an Application Auto Scaling client (OpsClients.autoscaling)');
  const target = await locateApp(clients as OpsClients, options.app, options);
  const processSettings = target.settings.processes[options.process];
  if (!processSettings) throw new UsageError(`"${options.process}" is not a process type of ${options.app} (${Object.keys(target.settings.processes).join(', ')})`);
  const configured: Range = processSettings.autoscaling ? { min: processSettings.autoscaling.min, max: processSettings.autoscaling.max } : { min: processSettings.desiredCount, max: processSettings.desiredCount };
  const range = options.range ?? configured;

  const service = serviceName(options.app, options.process);
  const resourceId = scalableTargetResourceId(target.settings.cluster, service);
  const out = await aws(`Application Auto Scaling DescribeScalableTargets ${resourceId}`, () =>
    autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ScalableDimension: SCALABLE_DIMENSION, ResourceIds: [resourceId] })),
  );
  const current = out.ScalableTargets?.find((t) => t.ResourceId === resourceId);
  await aws(`Application Auto Scaling RegisterScalableTarget ${resourceId}`, () =>
    autoscaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ScalableDimension: SCALABLE_DIMENSION, ResourceId: resourceId, MinCapacity: range.min, MaxCapacity: range.max })),
  );

  const key = dynamoKey(scaleKey(options.process));
  const what = options.reset ? 'removing the stored range' : 'storing the range';
  try {
    if (options.reset) {
      await aws(`DynamoDB DeleteItem SCALE/${options.process}`, () => clients.dynamodb.send(new DeleteItemCommand({ TableName: target.tableName, Key: key })));
    } else {
      await aws(`DynamoDB UpdateItem SCALE/${options.process}`, () =>
        clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: target.tableName,
            Key: key,
            UpdateExpression: 'SET #min = :min, #max = :max, setAt = :at',
            ExpressionAttributeNames: { '#min': 'min', '#max': 'max' },
            ExpressionAttributeValues: { ':min': { N: String(range.min) }, ':max': { N: String(range.max) }, ':at': { S: (options.now ?? new Date()).toISOString() } },
          }),
        ),
      );
    }
  } catch (e) {
    throw new ScaleNotStored(
      `${service} runs ${show(range)} task(s) now, but ${what} in the app's table failed (${(e as Error).message}): the next deploy or config change gives it ${options.reset ? 'the stored range again' : "the config's range"}. Run the command again`,
    );
  }
  return {
    app: options.app,
    process: options.process,
    service,
    resourceId,
    ...(current ? { previous: { min: current.MinCapacity ?? 0, max: current.MaxCapacity ?? 0 } } : {}),
    range,
    stored: !options.reset,
  };
}

/** `3` or `2-6`. */
export function show(r: Range): string {
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

