import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STATE_MACHINES, type StateMachineName } from '../domain/pipelines';
import { stateJson } from '../lib/local/serve/state';
import { capturePayloads, type CapturedPayload } from '../test/helpers/asl-contract';
import { PAYLOAD_SCENARIOS } from '../test/statemachines/asl-payload-scenarios';

/**
 * Keeps the payloads an earlier release's ASL files send to the Lambda handlers (docs/pipelines.md,
 * "Redrives across upgrades"): runs the scenarios of test/statemachines/asl-payload-scenarios.ts with
 * the ASL files of <commit> (git show) and the current handlers, and adds each Lambda task's payloads to
 * test/fixtures/asl-payloads/<machine>/<state>.json under that commit. Payloads already kept for the
 * commit are replaced; those of other commits stay (a redrive can meet any of them). The account at the
 * end of each scenario goes to test/fixtures/asl-payloads/accounts/<commit>/<scenario>.json.
 *
 *   npx tsx scripts/capture-asl-payloads.ts <commit>
 */

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'test/fixtures/asl-payloads');

/** A fixture file: the payloads one Lambda task of one state machine sent, per commit of its ASL. */
export interface KeptPayloads {
  readonly machine: string;
  readonly state: string;
  readonly payloads: (Omit<CapturedPayload, 'machine' | 'state'> & {
    readonly commit: string;
    readonly scenario: string;
    /** The how-manieth payload of this state in the scenario, and of any Lambda task in the scenario. */
    readonly occurrence: number;
    readonly sequence: number;
  })[];
}

/**
 * The simulated account at the end of a scenario run with the kept ASL (accounts/<commit>/<scenario>.json):
 * the world file and the account as `slipway local serve --state-dir` saves it, executions without their
 * histories. The kept payloads are replayed against it (test/statemachines/asl-contract-upgrade.test.ts).
 */
export interface KeptAccount {
  readonly commit: string;
  readonly scenario: string;
  readonly world: unknown;
  readonly state: { executions: { history: unknown[]; states: unknown[] }[] } & Record<string, unknown>;
}

/** The file name of a state's fixture: its name in lowercase, runs of other characters as one hyphen. */
export function fixtureName(state: string): string {
  return `${state.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.json`;
}

async function main(): Promise<void> {
  const ref = process.argv[2];
  if (!ref) throw new Error('usage: npx tsx scripts/capture-asl-payloads.ts <commit>');
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-asl-'));
  try {
    const aslFiles: Partial<Record<StateMachineName, string>> = {};
    for (const m of STATE_MACHINES) {
      const text = execFileSync('git', ['show', `${commit}:statemachines/${m}.asl.json`], { cwd: ROOT, encoding: 'utf8' });
      aslFiles[m] = join(dir, `${m}.asl.json`);
      writeFileSync(aslFiles[m] as string, text);
    }
    const kept = new Map<string, KeptPayloads>();
    for (const [scenario, run] of Object.entries(PAYLOAD_SCENARIOS)) {
      const got: CapturedPayload[] = [];
      const stop = capturePayloads(got);
      try {
        const runs = await run({ aslFiles });
        const end = runs[runs.length - 1];
        const state = JSON.parse(stateJson(end)) as KeptAccount['state'];
        for (const e of state.executions) {
          e.history = [];
          e.states = [];
        }
        const account: KeptAccount = { commit, scenario, world: end.world.spec, state };
        mkdirSync(join(OUT, 'accounts', commit), { recursive: true });
        writeFileSync(join(OUT, 'accounts', commit, `${scenario}.json`), `${JSON.stringify(account, null, 1)}\n`);
      } finally {
        stop();
      }
      const seen = new Map<string, number>();
      for (const [sequence, c] of got.entries()) {
        const key = `${c.machine}/${c.state}`;
        const occurrence = seen.get(key) ?? 0;
        seen.set(key, occurrence + 1);
        const file = join(OUT, c.machine, fixtureName(c.state));
        let entry = kept.get(file);
        if (!entry) {
          const before: KeptPayloads = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as KeptPayloads) : { machine: c.machine, state: c.state, payloads: [] };
          entry = { ...before, payloads: before.payloads.filter((p) => p.commit !== commit) };
          kept.set(file, entry);
        }
        entry.payloads.push({ commit, scenario, occurrence, sequence, context: c.context, payload: c.payload });
      }
    }
    for (const [file, entry] of kept) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, `${JSON.stringify(entry, null, 2)}\n`);
      process.stdout.write(`${file.slice(ROOT.length + 1)}: ${entry.payloads.filter((p) => p.commit === commit).length} payloads of ${commit.slice(0, 7)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
