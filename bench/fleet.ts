import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeBuildProjectName, serviceName } from '../domain/names';
import { deterministicUuid } from '../lib/local/event-patterns';
import { LAMBDA_CONCURRENCY, rateLimits, stateTransitionLimit } from '../lib/local/rate-limits';
import { LocalRun } from '../lib/local/runner';
import { buildEvent } from './fixtures';

/**
 * Section 7, "Fleet": N apps of one account pushed within the same minute, every pipeline (build ->
 * release -> deploy) run by the local runner with the real ASL and handlers in ONE simulated account,
 * under AWS's default API rates (lib/local/rate-limits.ts). What it takes until the last app is
 * deployed, beside the ECS settle time alone, and what the rate limits refused on the way.
 */

/** Seconds over which the fleet's pushes arrive (app i at floor(i x window / N)). */
export const PUSH_WINDOW_SECONDS = 60;
/** Simulated seconds each ECS deployment takes to complete (the runner's default outcome). */
export const FLEET_SETTLE_SECONDS = 60;
/** Simulated seconds the release task runs (the world's default). */
export const FLEET_RELEASE_SECONDS = 45;

/** Fleet sizes measured: the 100 and 300; the smoke run (CI) a third of each, still past ECS's burst. */
export const FLEET_SIZES = { full: [100, 300], smoke: [30, 90] } as const;

/** One fleet size's run. */
export interface FleetSample {
  readonly apps: number;
  readonly pushWindowSeconds: number;
  readonly settleSeconds: number;
  readonly releaseSeconds: number;
  /** Simulated seconds from the first push until the last app's deploy succeeded. */
  readonly lastDeployedAt: number;
  /** Per app, simulated seconds from its push until its deploy succeeded: median and max. */
  readonly pushToDeployed: { readonly median: number; readonly max: number };
  /** Apps whose deploy succeeded. */
  readonly deployed: number;
  readonly executions: number;
  /** Executions that did not succeed, with their error (goal: none). */
  readonly failed: { readonly name: string; readonly error: string }[];
  /** Calls the rate limits refused, per quota (each absorbed by a Retry unless an execution failed). */
  readonly throttles: Record<string, number>;
  readonly throttlesTotal: number;
  /** State transitions delayed by the StateTransition bucket. */
  readonly delayedTransitions: number;
  readonly stateTransitions: number;
  readonly lambdaInvocations: number;
  /** GetParameter calls (the apps' settings, read through the 60-s cache of each function). */
  readonly parameterReads: number;
  /** The most GetParameter calls in one simulated second (Parameter Store's default: 40 a second). */
  readonly parameterReadsPeakPerSecond: number;
  /** The most Lambda invocations in progress at once (the account's default: 1,000). */
  readonly lambdaPeakConcurrency: number;
  readonly registerTaskDefinitionCalls: number;
  /** Real seconds the run took on this machine. */
  readonly wallSeconds: number;
}

/** Section 7 of the bench. */
export interface FleetResults {
  readonly samples: FleetSample[];
  /** One app alone, same world: push to deployed (the floor the fleet is compared with). */
  readonly alone: FleetSample;
  /** The rate limits the simulated account enforced, with their sources. */
  readonly limits: { name: string; burst: number; refillPerSecond: number; error: string; source: string }[];
  readonly stateTransitions: { burst: number; refillPerSecond: number; source: string };
  readonly lambdaConcurrency: { limit: number; source: string };
  readonly region: string;
}

/** App names of a fleet: fleet-001, fleet-002, ... */
export function fleetApps(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `fleet-${String(i + 1).padStart(3, '0')}`);
}

/**
 * The deployment config of a fleet: `count` copies of the example config's first app (web and worker,
 * a release command), each with its own name, hostname and repository, no database.
 */
export function fleetConfig(rootDir: string, count: number): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(rootDir, 'config/example.json'), 'utf8')) as { apps: Record<string, unknown>[]; [k: string]: unknown };
  const template = base.apps[0];
  const apps = fleetApps(count).map((name) => {
    const { database: _database, ...app } = structuredClone(template);
    return { ...app, name, hostname: `${name}.apps.example.com`, repository: { owner: 'example-org', name } };
  });
  const { databases: _databases, ...rest } = base;
  return { ...rest, apps };
}

/** The CodeBuild SUCCEEDED event of build 42 of a fleet app's project, with its own event and build ids. */
function pushEvent(rootDir: string, prefix: string, app: string): Record<string, unknown> {
  const event = buildEvent(rootDir);
  const project = codeBuildProjectName(prefix, app);
  const stream = deterministicUuid(`fleet/${app}/stream`);
  const buildId = `arn:aws:codebuild:us-east-1:123456789012:build/${project}:${stream}`;
  const detail = event.detail as Record<string, unknown> & { 'additional-information': Record<string, unknown> };
  event.id = deterministicUuid(`fleet/${app}/event`);
  event.resources = [buildId];
  detail['project-name'] = project;
  detail['build-id'] = buildId;
  detail['additional-information'] = {
    ...detail['additional-information'],
    'build-number': 42,
    logs: { 'group-name': `/aws/codebuild/${project}`, 'stream-name': stream, 'deep-link': `https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/${project};stream=${stream}` },
  };
  return event;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs one fleet: `count` apps, each running web and worker on build 41, pushed (build 42 succeeds)
 * within {@link PUSH_WINDOW_SECONDS}, in one simulated account; measures it.
 */
export async function measureFleet(rootDir: string, count: number, window = PUSH_WINDOW_SECONDS): Promise<FleetSample> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-fleet-'));
  const t0 = process.hrtime.bigint();
  try {
    const config = join(dir, 'fleet.json');
    const cfg = fleetConfig(rootDir, count);
    writeFileSync(config, JSON.stringify(cfg));
    const apps = fleetApps(count);
    const processes = Object.keys((cfg.apps as { processes: Record<string, unknown> }[])[0].processes);
    const deployments = Object.fromEntries(apps.flatMap((a) => processes.map((p) => [serviceName(a, p), [{ outcome: 'completes' as const, afterSeconds: FLEET_SETTLE_SECONDS }]])));
    const run = new LocalRun({ config, app: apps[0], apps, deployments, release: { exitCode: 0, durationSeconds: FLEET_RELEASE_SECONDS } }, rootDir);
    // Every app already runs: each service on a revision of build 41.
    for (const app of apps) for (const p of processes) run.world.ecs.seedService(p, '41', app);
    const pushedAt = new Map<string, number>();
    apps.forEach((app, i) => {
      const at = count === 1 ? 0 : Math.floor((i * window) / count);
      pushedAt.set(app, at);
      run.at(at, `${app} build 42 succeeds`, () => run.startConcurrently('build', pushEvent(rootDir, run.prefix, app)));
    });
    await run.runScheduled();

    const deploys = run.executions.filter((e) => e.stateMachine === 'deploy' && e.status === 'SUCCEEDED');
    const took = deploys.map((e) => (e.endedAt ?? Number.NaN) - (pushedAt.get((e.input as { app?: string }).app ?? '') ?? Number.NaN));
    const failed = run.executions.filter((e) => e.status !== 'SUCCEEDED').map((e) => ({ name: e.name, error: `${e.error ?? e.status}` }));
    const limits = run.world.limits;
    return {
      apps: count,
      pushWindowSeconds: window,
      settleSeconds: FLEET_SETTLE_SECONDS,
      releaseSeconds: FLEET_RELEASE_SECONDS,
      lastDeployedAt: Math.max(...deploys.map((e) => e.endedAt ?? 0)),
      pushToDeployed: { median: median(took), max: Math.max(...took) },
      deployed: deploys.length,
      executions: run.executions.length,
      failed,
      throttles: { ...limits.throttled, ...(run.lambdaConcurrency.throttled ? { 'Lambda concurrent executions': run.lambdaConcurrency.throttled } : {}) },
      throttlesTotal: limits.throttledTotal + run.lambdaConcurrency.throttled,
      delayedTransitions: limits.delayedTransitions,
      stateTransitions: run.transitions,
      lambdaInvocations: run.lambdaInvocations,
      parameterReads: run.world.calls.GetParameter ?? 0,
      parameterReadsPeakPerSecond: limits.peakPerSecond('GetParameter'),
      lambdaPeakConcurrency: run.lambdaConcurrency.peak,
      registerTaskDefinitionCalls: run.world.calls.RegisterTaskDefinition ?? 0,
      wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Section 7: one app alone, then each fleet size. */
export async function measureFleets(rootDir: string, sizes: readonly number[], progress: (text: string) => void = () => undefined): Promise<FleetResults> {
  progress('1 app alone');
  const alone = await measureFleet(rootDir, 1);
  const samples: FleetSample[] = [];
  for (const n of sizes) {
    progress(`${n} apps pushed within ${PUSH_WINDOW_SECONDS} s`);
    samples.push(await measureFleet(rootDir, n));
  }
  const region = 'us-east-1';
  return {
    samples,
    alone,
    limits: rateLimits(region).map((l) => ({ name: l.name, burst: l.burst, refillPerSecond: l.refillPerSecond, error: l.error, source: l.source })),
    stateTransitions: stateTransitionLimit(region),
    lambdaConcurrency: { ...LAMBDA_CONCURRENCY },
    region,
  };
}
