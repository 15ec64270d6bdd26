import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { STATE_MACHINES, type StateMachineName } from '../pipeline-contract';
import { LocalRunError, runLocal } from '../local/runner';
import { renderTimeline } from '../local/timeline';
import { EXIT, UsageError } from './errors';

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`${what} file ${file} cannot be read`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} file ${file} is not JSON: ${(e as Error).message}`);
  }
}

/** Adds `slipway local run <pipeline> --event <file> [--world <file>] [--json]`. */
export function registerLocalCommands(program: Command, setExit: (code: number) => void): void {
  const local = program.command('local').description('run the pipelines on this machine, against a simulated AWS account');
  local
    .command('run')
    .description('run a pipeline (and the pipelines it starts) with the real ASL file and handlers')
    .argument('<pipeline>', `one of ${STATE_MACHINES.join(', ')}`)
    .requiredOption('--event <file>', 'the execution input: a CodeBuild event for build, a release/deploy input otherwise')
    .option('--world <file>', 'the simulated account and what happens in it (see docs/local-runs.md)')
    .option('--redrive-with <file>', 'after the run, merge this JSON Merge Patch into the world (the fix) and redrive the failed execution once')
    .option('--json', 'print one JSON document instead of the timeline')
    .action(async (pipeline: string, opts: { event: string; world?: string; redriveWith?: string; json?: boolean }) => {
      if (!(STATE_MACHINES as readonly string[]).includes(pipeline)) throw new UsageError(`unknown pipeline "${pipeline}": use one of ${STATE_MACHINES.join(', ')}`);
      const input = readJson(opts.event, 'event');
      const world = opts.world ? readJson(opts.world, 'world') : {};
      if (typeof world !== 'object' || world === null || Array.isArray(world)) throw new UsageError(`world file ${opts.world} must hold a JSON object`);
      const redriveWith = opts.redriveWith ? readJson(opts.redriveWith, 'redrive patch') : undefined;
      let result;
      try {
        result = await runLocal({ pipeline: pipeline as StateMachineName, input, world: world as Record<string, unknown>, redriveWith });
      } catch (e) {
        if (e instanceof LocalRunError) throw new UsageError(e.message);
        throw e;
      }
      const { report, redriven } = result;
      const out = redriven ? { ...report, redriven: { name: redriven.name, arn: redriven.arn, status: redriven.status, redriveCount: redriven.redriveCount } } : report;
      process.stdout.write(opts.json ? `${JSON.stringify(out, null, 2)}\n` : `${renderTimeline(report)}\n${redriven ? `redrove ${redriven.name} (redrive ${redriven.redriveCount}): ${redriven.status}\n` : ''}`);
      setExit(report.executions.every((e) => e.status === 'SUCCEEDED') ? EXIT.ok : EXIT.failed);
    });
}
