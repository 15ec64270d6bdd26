import { join } from 'node:path';
import { LocalRun, type LocalRunExtras, type LocalTaskHandler } from '../lib/local/runner';
import type { WorldFile } from '../lib/local/world-schema';
import type { World } from '../lib/local/world';
import { buildEvent } from './fixtures';

/** The two deploy pipelines compared: Slipway's event-driven wait, and the polling loop of the common samples. */
export type PipelineVariant = 'slipway' | 'polling';

/** What one end-to-end local run (build -> release -> deploy) of the example app cost and how fast it answered. */
export interface PipelineSample {
  readonly variant: PipelineVariant;
  /** Simulated seconds each ECS deployment takes to complete. */
  readonly settleSeconds: number;
  /** Every execution succeeded and the release was recorded. */
  readonly succeeded: boolean;
  readonly stateTransitions: number;
  readonly lambdaInvocations: number;
  /** State transitions of the deploy execution alone. */
  readonly deployTransitions: number;
  readonly simulatedSeconds: number;
  /** Simulated time the last ECS deployment completed. */
  readonly deploymentsCompletedAt: number;
  /** Simulated time the deploy entered "Record the release". */
  readonly releaseRecordedAt: number;
  /** releaseRecordedAt - deploymentsCompletedAt. */
  readonly latencySeconds: number;
  /** Real milliseconds the run took on this machine. */
  readonly wallMs: number;
}

/** Path of the polling baseline's ASL file. */
export const POLLING_ASL = join(__dirname, 'baseline', 'deploy-polling.asl.json');

const pascal = (value: unknown): unknown => {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]));
  return value;
};

/**
 * `arn:aws:states:::aws-sdk:ecs:describeServices` answered by the simulated ECS, PascalCase as the
 * Step Functions AWS SDK integration returns it.
 */
export const describeServicesIntegration: LocalTaskHandler = async (params: Record<string, unknown>, world: World) => {
  const names = (params.Services as string[] | undefined) ?? [];
  const services = names.map((n) => world.describeService(n)).filter(Boolean);
  return pascal({ services, failures: names.filter((n) => !world.services.has(n)).map((n) => ({ arn: n, reason: 'MISSING' })) });
};

/** The runner extras for a variant: the polling baseline swaps in its ASL file and the DescribeServices integration. */
export function extrasFor(variant: PipelineVariant): LocalRunExtras {
  if (variant === 'slipway') return {};
  return { aslFiles: { deploy: POLLING_ASL }, taskHandlers: { 'arn:aws:states:::aws-sdk:ecs:describeServices': describeServicesIntegration } };
}

/**
 * The example world (web and worker on build 41) where both deployments complete after `settleSeconds`.
 * The polling baseline has no ECS event rule, so its world delivers no deployment events.
 */
export function settleWorld(settleSeconds: number, variant: PipelineVariant = 'slipway'): WorldFile {
  return {
    app: 'example',
    lostEvents: variant === 'polling',
    services: { web: { build: '41' }, worker: { build: '41' } },
    deployments: { web: [{ outcome: 'completes', afterSeconds: settleSeconds }], worker: [{ outcome: 'completes', afterSeconds: settleSeconds }] },
  };
}

/**
 * Runs the example app's pipeline once, end to end, in a fresh simulated account, and measures it.
 * @param rootDir repository root (ASL files, config, fixtures)
 */
export async function measurePipeline(variant: PipelineVariant, settleSeconds: number, rootDir: string): Promise<PipelineSample> {
  const t0 = process.hrtime.bigint();
  const run = new LocalRun(settleWorld(settleSeconds, variant), rootDir, extrasFor(variant));
  await run.run('build', buildEvent(rootDir));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const deploy = run.executions.find((e) => e.stateMachine === 'deploy');
  const recorded = deploy?.states.find((s) => s.name === 'Record the release' && s.iteration === undefined);
  const completedAt = Math.max(...run.world.completedDeployments.map((d) => d.at));
  const releaseRecordedAt = recorded?.at ?? Number.NaN;
  return {
    variant,
    settleSeconds,
    succeeded: run.executions.length === 3 && run.executions.every((e) => e.status === 'SUCCEEDED') && recorded?.status === 'succeeded',
    stateTransitions: run.transitions,
    lambdaInvocations: run.lambdaInvocations,
    deployTransitions: deploy?.states.length ?? 0,
    simulatedSeconds: run.world.now,
    deploymentsCompletedAt: completedAt,
    releaseRecordedAt,
    latencySeconds: releaseRecordedAt - completedAt,
    wallMs,
  };
}
