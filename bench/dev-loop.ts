import { spawnSync } from 'node:child_process';

/** A developer-loop command the bench times. */
export interface LoopCommand {
  readonly label: string;
  /** What a reader would type. */
  readonly shown: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** The commands: synth of the full example (output to `cdkOut`), the test suite, one local pipeline run. */
export function loopCommands(cdkOut: string): Record<'synth' | 'test' | 'start', LoopCommand> {
  return {
    synth: { label: '`cdk synth` of the full example (5 stacks, cdk-nag on, offline)', shown: 'npx cdk synth -q', command: 'npx', args: ['cdk', 'synth', '-q', '-o', cdkOut] },
    test: { label: '`npm test` (type-check + every jest suite)', shown: 'npm test', command: 'npm', args: ['test', '--silent'] },
    start: { label: '`npm start` (one local build -> release -> deploy run)', shown: 'npm start', command: 'npm', args: ['start', '--silent'] },
  };
}

/**
 * The CLI's start-up beside Node's own: `slipway --help` (the bundle npm's prepare builds, see
 * bin/slipway.js) and `node -e 0`, the floor no Node CLI can go below.
 */
export function startupCommands(): Record<'node' | 'help', LoopCommand> {
  return {
    node: { label: 'Node start-up, the floor', shown: 'node -e 0', command: process.execPath, args: ['-e', '0'] },
    help: { label: 'CLI start-up (the bundled CLI with its code cache)', shown: 'slipway --help', command: process.execPath, args: ['bin/slipway.js', '--help'] },
  };
}

/** Runs of each start-up command: cheap, so the same in smoke and full mode. */
export const STARTUP_RUNS = 7;

/** The environment before the bench's local runs set the handlers' variables: commands get this one. */
const STARTING_ENV = { ...process.env };

/**
 * Runs a command to its end in a fresh process and returns its wall time in milliseconds.
 * @throws Error naming the command and the end of its output when it fails.
 */
export function timeCommand(c: LoopCommand, cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c.command, [...c.args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...STARTING_ENV, CI: STARTING_ENV.CI ?? '' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n');
    // Jest names each failed test on a "●" line: those, then the summary.
    const failures = lines.filter((l) => /^\s*● /.test(l)).slice(0, 20);
    const tail = [...failures, ...lines.slice(-5)].join('\n');
    throw new Error(`\`${c.shown}\` failed (exit ${r.status ?? r.signal}):\n${tail}`);
  }
  return ms;
}
