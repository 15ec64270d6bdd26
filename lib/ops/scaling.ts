import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand, type ScalableTarget } from '@aws-sdk/client-application-auto-scaling';
import { scalableTargetResourceId, SCALABLE_DIMENSION, SCALABLE_NAMESPACE, serviceName } from '../../domain/names';
import { UsageError } from '../cli/errors';
import type { OpsClients } from './aws';
import { checkAppName, checkProcessName } from './names';

/**
 * `slipway scale`: an app's process type's task range, as its service's Application Auto Scaling
 * scalable target (the deploy pipeline registers it with the service).
 */

/** The clients {@link scaleProcess} uses. */
export type ScalingClients = Pick<OpsClients, 'autoscaling'>;

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
}

/** Options of {@link scaleProcess}. */
export interface ScaleOptions {
  readonly app: string;
  readonly process: string;
  readonly range: Range;
  /** ECS cluster name, needed only when the service has no registration yet. */
  readonly cluster?: string;
}

/**
 * Sets the autoscaling range of an app's process type: finds the service's scalable target
 * (`service/<cluster>/<app>--<process>`, the name the deploy pipeline gives the service) and registers
 * it with the new range; Application Auto Scaling then moves the desired count into the range.
 * @throws UsageError when the names are invalid, or the service has no registration and no `cluster` is given.
 */
export async function scaleProcess({ autoscaling }: ScalingClients, options: ScaleOptions): Promise<ScaleResult> {
  checkAppName(options.app);
  checkProcessName(options.process);
  if (!autoscaling) throw new UsageError('slipway scale needs an Application Auto Scaling client (OpsClients.autoscaling)');
  const service = serviceName(options.app, options.process);
  let target: ScalableTarget | undefined;
  if (options.cluster) {
    const resourceId = scalableTargetResourceId(options.cluster, service);
    const out = await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ScalableDimension: SCALABLE_DIMENSION, ResourceIds: [resourceId] }));
    target = out.ScalableTargets?.find((t) => t.ResourceId === resourceId);
  } else {
    const matches: ScalableTarget[] = [];
    let next: string | undefined;
    do {
      const out = await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ScalableDimension: SCALABLE_DIMENSION, NextToken: next }));
      matches.push(...(out.ScalableTargets ?? []).filter((t) => t.ResourceId?.endsWith(`/${service}`)));
      next = out.NextToken;
    } while (next);
    if (matches.length > 1) {
      throw new UsageError(`${service} is registered in several clusters (${matches.map((t) => t.ResourceId).join(', ')}): pass --cluster <name>`);
    }
    target = matches[0];
    if (!target) {
      throw new UsageError(`${service} has no autoscaling registration yet (the deploy pipeline creates it with the service): deploy the app first, or pass --cluster <name> to register one`);
    }
  }
  // No target only when the cluster was given (else it threw above).
  const resourceId = target?.ResourceId ?? scalableTargetResourceId(options.cluster ?? '', service);
  await autoscaling.send(new RegisterScalableTargetCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ScalableDimension: SCALABLE_DIMENSION, ResourceId: resourceId, MinCapacity: options.range.min, MaxCapacity: options.range.max }));
  return {
    app: options.app,
    process: options.process,
    service,
    resourceId,
    previous: target ? { min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 0 } : undefined,
    range: options.range,
  };
}
