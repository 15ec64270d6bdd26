import { resolve } from 'node:path';
import { appOfExecutionInput, buildOfExecutionInput } from '../../domain/executions';
import type { StateMachineName } from '../../domain/pipelines';
import { loadDeploymentConfig } from '../deployment-config';
import { MAX_PAYLOAD_BYTES } from './engine';
import { buildFleetReport, type FleetReport } from './report';
import { LocalRun } from './runner';
import { fixedWorld } from './world-patch';
import { LocalRunError } from './run-error';
import { redriveRefusal, type ExecutionReport } from './services/stepfunctions';
import { parseWorld, type WorldFile } from './world-schema';

/**
 * Several events in one simulated account (`slipway local run <pipeline> --event a.json --event b.json`,
 * or `--event <folder>`): each event starts the pipeline for its own app, all at the world's start, and
 * they run interleaved on the account's one simulated clock, as `slipway local serve` runs the
 * executions its clients start (the same {@link LocalRun}: `at`, `startConcurrently`, `runScheduled`).
 * Every event is checked before anything runs: a bad one is a {@link LocalRunError} and nothing starts.
 */

/** One event of a several-event run: where it came from (a file name, for messages) and the execution input. */
export interface FleetEvent {
  readonly source: string;
  readonly input: unknown;
}

/** What a several-event run runs. */
export interface LocalFleetOptions {
  readonly pipeline: StateMachineName;
  readonly events: readonly FleetEvent[];
  /** The world file; its `apps` gain every app an event names. @default {} */
  readonly world?: WorldFile;
  /** The Slipway package (ASL files, the default config). @default process.cwd() */
  readonly rootDir?: string;
  /**
   * After the run, this JSON Merge Patch (RFC 7396) is merged into the world (the fix), and each app's
   * failed execution is redriven once, the redrives again side by side. @default no redrive
   */
  readonly redriveWith?: unknown;
}

/** An event checked against the config: its app, and its build where it names one. */
export interface PlannedEvent extends FleetEvent {
  readonly app: string;
  readonly build?: string;
}

/** A several-event run checked before it starts: the world it runs in and what starts. */
export interface FleetPlan {
  readonly world: WorldFile;
  readonly events: readonly PlannedEvent[];
}

/** What each pipeline is started with, and how an input of the wrong kind is recognised. */
const INPUT_KINDS: Record<StateMachineName, { what: string; accepts: (i: Record<string, unknown>) => boolean }> = {
  build: { what: 'a CodeBuild "Build State Change" event (source aws.codebuild)', accepts: (i) => i.source === 'aws.codebuild' },
  'config-change': { what: 'a "Parameter Store Change" event (source aws.ssm)', accepts: (i) => i.source === 'aws.ssm' },
  release: { what: 'a release input naming its "app"', accepts: (i) => typeof i.app === 'string' },
  deploy: { what: 'a deploy input naming its "app"', accepts: (i) => typeof i.app === 'string' },
  schedules: { what: 'a schedules input naming its "app"', accepts: (i) => typeof i.app === 'string' },
};

/**
 * Checks the events against the pipeline and the world's config: every event is an object of the
 * pipeline's kind, names an app of the config (a CodeBuild event by its project `<prefix>-<app>`, a
 * Parameter Store change by its name `/<prefix>/apps/<app>/...`, the other inputs by `app`), fits
 * StartExecution's 256 KiB input quota, and no two are the same build of an app (or the same event).
 * The world hosts every app an event names. @throws LocalRunError naming the event's file.
 */
export function planFleet(options: Pick<LocalFleetOptions, 'pipeline' | 'events' | 'world' | 'rootDir'>): FleetPlan {
  const world = options.world ?? {};
  if (options.events.length === 0) throw new LocalRunError('no events: give at least one event file (or a folder holding *.json events)');
  const spec = parseWorld(world);
  let config;
  try {
    config = loadDeploymentConfig(resolve(options.rootDir ?? process.cwd(), spec.config));
  } catch (e) {
    throw new LocalRunError((e as Error).message);
  }
  const names = config.apps.map((a) => a.name);
  const kind = INPUT_KINDS[options.pipeline];
  const planned: PlannedEvent[] = [];
  const seen = new Map<string, string>();
  for (const event of options.events) {
    const input = event.input;
    if (typeof input !== 'object' || input === null || Array.isArray(input) || !kind.accepts(input as Record<string, unknown>)) {
      throw new LocalRunError(`event ${event.source} is not ${kind.what}, what the ${options.pipeline} pipeline starts with`);
    }
    if (Buffer.byteLength(JSON.stringify(input), 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new LocalRunError(`event ${event.source}: StartExecution would refuse the input (ValidationException): it is over ${MAX_PAYLOAD_BYTES} bytes, Step Functions' 256 KiB quota`);
    }
    const app = appOfExecutionInput(config.prefix, input);
    if (app === undefined) {
      throw new LocalRunError(`event ${event.source} names no app of prefix "${config.prefix}" (a CodeBuild event names it by its project ${config.prefix}-<app>, a Parameter Store change by its name /${config.prefix}/apps/<app>/..., the other inputs by "app")`);
    }
    if (!names.includes(app)) throw new LocalRunError(`event ${event.source} is for app "${app}", which ${spec.config} does not have (apps: ${names.join(', ')})`);
    const build = buildOfExecutionInput(input);
    const key = build !== undefined ? `build ${build} of ${app}` : `the same event ${JSON.stringify(input)}`;
    const twin = seen.get(key);
    if (twin !== undefined) {
      throw new LocalRunError(`events ${twin} and ${event.source} are both ${build !== undefined ? key : 'the same event'}: an event starts its pipeline once, keep one of them`);
    }
    seen.set(key, event.source);
    planned.push({ ...event, app, ...(build !== undefined ? { build } : {}) });
  }
  const app = spec.app ?? planned[0].app;
  const apps = [...new Set([...(spec.apps ?? [app]), ...planned.map((e) => e.app)])];
  return { world: { ...world, app, apps }, events: planned };
}

/**
 * Runs several events in one fresh simulated account ({@link planFleet} first: nothing runs unless every
 * event is sound), interleaved on its clock; then, with `redriveWith`, applies the fix and redrives each
 * app's last failed execution, side by side.
 */
export async function runFleet(options: LocalFleetOptions): Promise<{ run: LocalRun; report: FleetReport; redriven: ExecutionReport[] }> {
  const plan = planFleet(options);
  // The fix is checked before the run too (a patch that changes the account or its apps is refused).
  const fixed = options.redriveWith === undefined ? undefined : fixedWorld(plan.world, options.redriveWith, parseWorld(plan.world));
  const run = new LocalRun(plan.world, options.rootDir);
  for (const e of plan.events) run.at(0, `${e.source} arrives`, () => void run.startConcurrently(options.pipeline, e.input));
  await run.runScheduled();
  if (options.redriveWith === undefined || fixed === undefined) return { run, report: buildFleetReport(run), redriven: [] };

  const failed = lastFailedOfEachApp(run);
  if (failed.length === 0) throw new LocalRunError('no execution failed: there is nothing to redrive');
  for (const exec of failed) {
    const why = redriveRefusal(exec, run.world.now);
    if (why) throw new LocalRunError(`execution ${exec.name} cannot be redriven: ${why}`);
  }
  run.world.applyPatchedSpec(fixed, options.redriveWith);
  for (const exec of failed) run.at(run.world.now, `redrive ${exec.name}`, () => void run.startRedrive(exec));
  await run.runScheduled();
  return { run, report: buildFleetReport(run), redriven: failed };
}

/** Each app's last execution that failed (the one an operator redrives after fixing the cause). */
function lastFailedOfEachApp(run: LocalRun): ExecutionReport[] {
  const byApp = new Map<string, ExecutionReport>();
  for (const e of run.executions) {
    const app = appOfExecutionInput(run.prefix, e.input);
    if (app !== undefined && e.status === 'FAILED') byApp.set(app, e);
  }
  return [...byApp.values()];
}
