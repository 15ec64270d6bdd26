import type { Command } from 'commander';
import * as path from 'node:path';
import { STATE_MACHINES, type StateMachineName } from '../../domain/pipelines';
// The runner and its engine load when a run starts, not with every `slipway` command (start-up time).
import type * as Fleet from '../local/fleet';
import type * as Runner from '../local/runner';
import type * as RenderRun from '../local/render-run';
import { EXIT, UsageError } from './errors';
import { inputFilesOf, readInputJson } from './input-files';
import { printResult, processIo, reportError, type CliIo } from './io';
import { registerServeCommands } from './local-serve';
import { packageRoot, resolveWorldConfig } from './world-config';

function readJson(file: string, what: string, cwd: string): unknown {
  // Regular files only, bounded in size and depth (lib/cli/input-files.ts).
  return readInputJson(path.resolve(cwd, file), what);
}

/** Options of `slipway local run`. */
interface LocalRunCliOptions {
  /** Each --event: a file, or a folder of *.json events. */
  event: string[];
  world?: string;
  redriveWith?: string;
  json?: boolean;
}

/**
 * Adds `slipway local run <pipeline> --event <file> [--world <file>] [--redrive-with <file>] [--json]`. Files named on the
 * command line are read relative to the working directory; the ASL files and the default config come
 * from the Slipway package. Errors are one line (and a JSON document with --json), exit 2 for bad input.
 * `--event` again, or a folder, runs several events in one account (lib/local/fleet.ts), reported per app.
 */
export function registerLocalCommands(program: Command, setExit: (code: number) => void, io: CliIo = processIo, cwd: () => string = () => process.cwd()): void {
  const local = program.command('local').description('run the pipelines on this machine, against a simulated AWS account');
  local
    .command('run')
    .description('run a pipeline (and the pipelines it starts) with the real ASL file and handlers; example inputs: test/fixtures/events/')
    .argument('<pipeline>', `one of ${STATE_MACHINES.join(', ')}`)
    .requiredOption('--event <file>', 'the execution input; again, or a folder of *.json events, for several apps in one account (each event starts the pipeline for its own app, interleaved on one clock, reported per app); examples in test/fixtures/events/: a CodeBuild event for build (codebuild-succeeded.json; two apps: the folder two-apps/), release-input.json / deploy-input.json for release and deploy, a Parameter Store change for config-change (parameter-store-change.json), schedules-input.json for schedules', (file: string, previous: string[] | undefined) => [...(previous ?? []), file])
    .option('--world <file>', 'the simulated account and what happens in it (see docs/local-runs.md)')
    .option('--redrive-with <file>', 'after the run, merge this JSON Merge Patch into the world (the fix) and redrive the failed execution once (with several events: each app\'s last failed execution)')
    .option('--json', 'print one JSON document instead of the timeline')
    .action(async (pipeline: string, opts: LocalRunCliOptions) => {
      try {
        if (!(STATE_MACHINES as readonly string[]).includes(pipeline)) throw new UsageError(`unknown pipeline "${pipeline}": use one of ${STATE_MACHINES.join(', ')}`);
        const here = cwd();
        const root = packageRoot();
        const events = inputFilesOf(opts.event.map((e) => path.resolve(here, e)), 'event');
        const inputs = events.files.map((file) => ({ source: path.relative(here, file) || file, input: readJson(file, 'event', here) }));
        const world = opts.world ? readJson(opts.world, 'world', here) : {};
        const redriveWith = opts.redriveWith ? readJson(opts.redriveWith, 'redrive patch', here) : undefined;
        if (typeof world !== 'object' || world === null || Array.isArray(world)) throw new UsageError(`world file ${opts.world} must hold a JSON object`);
        const spec = { ...(world as Record<string, unknown>) };
        spec.config = resolveWorldConfig(spec.config, here, root);
        if (events.files.length > 1 || events.folders) {
          await runSeveral(io, setExit, { pipeline: pipeline as StateMachineName, events: inputs, world: spec, rootDir: root, redriveWith }, opts.json);
          return;
        }
        const input = inputs[0].input;
        // require, not import(): tsx's CommonJS loader and the bundle both resolve it.
        const { LocalRunError, runLocal } = require('../local/runner') as typeof Runner;
        const { renderTimeline } = require('../local/render-run') as typeof RenderRun;
        let result;
        try {
          result = await runLocal({ pipeline: pipeline as StateMachineName, input, world: spec, rootDir: root, redriveWith });
        } catch (e) {
          if (e instanceof LocalRunError) throw new UsageError(e.message);
          throw e;
        }
        const { report, redriven } = result;
        const out = redriven ? { ...report, redriven: { name: redriven.name, arn: redriven.arn, status: redriven.status, redriveCount: redriven.redriveCount } } : report;
        printResult(io, opts.json, out, `${renderTimeline(report)}${redriven ? `\nredrove ${redriven.name} (redrive ${redriven.redriveCount}): ${redriven.status}` : ''}`);
        setExit(report.executions.every((e) => e.status === 'SUCCEEDED') ? EXIT.ok : EXIT.failed);
      } catch (e) {
        setExit(reportError(io, e, opts.json));
      }
    });
  registerServeCommands(local, setExit, io, cwd);
}

/** `slipway local run` with several events: the fleet's run (lib/local/fleet.ts), reported per app. */
async function runSeveral(io: CliIo, setExit: (code: number) => void, options: Fleet.LocalFleetOptions, json: boolean | undefined): Promise<void> {
  const { runFleet } = require('../local/fleet') as typeof Fleet;
  const { LocalRunError } = require('../local/runner') as typeof Runner;
  const { renderFleetTimeline } = require('../local/render-run') as typeof RenderRun;
  let result;
  try {
    result = await runFleet(options);
  } catch (e) {
    if (e instanceof LocalRunError) throw new UsageError(e.message);
    throw e;
  }
  const { report, redriven } = result;
  const out = redriven.length > 0 ? { ...report, redriven: redriven.map((r) => ({ name: r.name, arn: r.arn, status: r.status, redriveCount: r.redriveCount })) } : report;
  const text = `${renderFleetTimeline(report)}${redriven.map((r) => `\nredrove ${r.name} (redrive ${r.redriveCount}): ${r.status}`).join('')}`;
  printResult(io, json, out, text);
  setExit(report.apps.every((a) => a.executions.every((e) => e.status === 'SUCCEEDED')) ? EXIT.ok : EXIT.failed);
}
