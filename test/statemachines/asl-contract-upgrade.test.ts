import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod/mini';
import { STATE_MACHINES, type PipelineFunctionKey, PIPELINE_FUNCTIONS } from '../../domain/pipelines';
import { aslPath } from '../../lib/asl';
import { LocalRun } from '../../lib/local/runner';
import { stateFromJson } from '../../lib/local/serve/state';
import type { WorldFile } from '../../lib/local/world-schema';
import type { SimulatedLambda } from '../../lib/local/services/lambda';
import type { KeptAccount, KeptPayloads } from '../../scripts/capture-asl-payloads';
import { currentPayloadFor, lambdaTasks, type LambdaTask } from '../helpers/asl-contract';
import { CONTRACT } from '../helpers/asl-contract-handlers';
import { PAYLOAD_SCENARIOS } from './asl-payload-scenarios';
import { ROOT } from './scenarios';

/**
 * Redrives across upgrades (docs/pipelines.md): AWS redrives an execution with the definition it
 * started with, and the ASL invokes the functions by unqualified ARNs, so a payload of an earlier
 * release's ASL meets the current handler. Every payload kept in test/fixtures/asl-payloads/ (captured
 * from an earlier release's ASL files by scripts/capture-asl-payloads.ts) is fed to the real handler,
 * its AWS calls answered by the simulated account (aws-sdk-client-mock, lib/local/client-mocks.ts):
 * it is accepted, and it does what the payload the current ASL sends in the same execution does.
 */

const FIXTURES = join(ROOT, 'test/fixtures/asl-payloads');
const KEPT: KeptPayloads[] = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'accounts')
  .flatMap((d) => readdirSync(join(FIXTURES, d.name)).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(FIXTURES, d.name, f), 'utf8')) as KeptPayloads));

const TASKS = new Map<string, LambdaTask>(STATE_MACHINES.flatMap((m) => lambdaTasks(m, JSON.parse(readFileSync(aslPath(ROOT, m), 'utf8')))).map((t) => [`${t.machine} / ${t.state}`, t]));

/** The function a `${XxxFunctionArn}` placeholder names. */
function functionOf(placeholder: string): PipelineFunctionKey {
  const key = (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).find((k) => placeholder === `\${${k[0].toUpperCase()}${k.slice(1)}FunctionArn}`);
  if (!key) throw new Error(`no function for ${placeholder}`);
  return key;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: string; message: string };

/** The simulated account's observable state: every table's items, the ECS services, the events, the calls made. */
function observed(run: LocalRun): unknown {
  const tables = [...run.world.tables.entries()].map(([name, t]) => [name, t.all()]);
  const services = [...run.world.services.entries()].map(([name, s]) => [name, s.service]);
  return JSON.parse(JSON.stringify({ tables, services, events: run.world.events, calls: run.world.calls, scalable: run.world.scalableTargets }));
}

/** Invokes the real handler as the simulated Lambda does (the function's environment, the simulated account's clients). */
async function invoke(run: LocalRun, key: PipelineFunctionKey, payload: unknown): Promise<Outcome> {
  const lambda = (run as unknown as { lambda: SimulatedLambda }).lambda;
  const release = run.holdMocks();
  try {
    return { ok: true, result: await lambda.invoke(key, payload) };
  } catch (e) {
    const err = e as Error;
    const cause = (() => {
      try {
        return JSON.parse(err.message) as { errorType: string; errorMessage: string };
      } catch {
        return { errorType: err.name, errorMessage: err.message };
      }
    })();
    return { ok: false, error: cause.errorType, message: cause.errorMessage };
  } finally {
    release();
  }
}

test('payloads are kept for every Lambda task of the previous release\'s ASL', () => {
  expect(KEPT.length).toBeGreaterThanOrEqual(9);
  for (const k of KEPT) expect(k.payloads.length).toBeGreaterThan(0);
  // Every kept payload names the commit of the ASL that sent it.
  expect(KEPT.flatMap((k) => k.payloads.map((p) => p.commit)).every((c) => /^[0-9a-f]{40}$/.test(c))).toBe(true);
});

describe.each(KEPT.map((k) => [`${k.machine} / ${k.state}`, k] as const))('%s: the kept payloads', (name, kept) => {
  test('the handler\'s schema accepts each one', () => {
    const side = CONTRACT[name];
    expect(side).toBeDefined();
    const refused = kept.payloads
      .map((p) => ({ p, r: (side.schema as z.ZodMiniType).safeParse(p.payload) }))
      .filter(({ r }) => !r.success)
      .map(({ p, r }) => `${p.commit.slice(0, 7)} ${p.scenario}#${p.occurrence}: ${r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    expect(refused).toEqual([]);
  });
});

const ACCOUNTS = join(FIXTURES, 'accounts');
const REPLAYS = readdirSync(ACCOUNTS).flatMap((commit) => readdirSync(join(ACCOUNTS, commit)).map((f) => JSON.parse(readFileSync(join(ACCOUNTS, commit, f), 'utf8')) as KeptAccount));

describe.each(REPLAYS.map((a) => [`${a.commit.slice(0, 7)} ${a.scenario}`, a] as const))('%s: each kept payload does what the current ASL\'s payload does', (_name, account) => {
  const kept = KEPT.flatMap((k) => k.payloads.filter((p) => p.scenario === account.scenario && p.commit === account.commit).map((p) => ({ ...p, machine: k.machine, state: k.state }))).sort((a, b) => a.sequence - b.sequence);
  // Two identical accounts, each the account the kept payloads were sent in (at the end of the scenario run
  // with the kept ASL files, restored as slipway local serve --state-dir does): the kept payloads go to one,
  // the payloads the current ASL would send in the same executions to the other, in the order they were sent.
  const runs: LocalRun[] = [];

  beforeAll(() => {
    // Only Date is faked: the handlers' own timestamps (new Date()) are the same in both accounts.
    jest.useFakeTimers({ doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    for (let i = 0; i < 2; i += 1) {
      const run = new LocalRun(account.world as WorldFile, ROOT);
      stateFromJson(JSON.stringify(account.state), `${account.commit} ${account.scenario}`).restore(run);
      runs.push(run);
    }
  });

  afterAll(() => {
    jest.useRealTimers();
  });

  test('the scenario has kept payloads, and its two accounts are the same', () => {
    expect(kept.length).toBeGreaterThan(0);
    expect(JSON.stringify(observed(runs[1]))).toBe(JSON.stringify(observed(runs[0])));
  });

  test('accepted (no InvalidInput), and the same result and the same changes to the account', async () => {
    const [keptRun, currentRun] = runs;
    const differences: string[] = [];
    for (const p of kept) {
      const task = TASKS.get(`${p.machine} / ${p.state}`);
      // A task the current ASL no longer has: its handler must still accept the payload (the schema test above).
      if (!task) continue;
      const current = currentPayloadFor(task, p);
      const key = functionOf(task.functionName);
      // Both invocations see the same wall clock (the handlers' timestamps).
      jest.setSystemTime(new Date(Date.parse(p.context.enteredTime)));
      const fromKept = await invoke(keptRun, key, p.payload);
      jest.setSystemTime(new Date(Date.parse(p.context.enteredTime)));
      const fromCurrent = await invoke(currentRun, key, current);
      const label = `${p.commit.slice(0, 7)} ${p.machine} / ${p.state} ${p.scenario}#${p.occurrence}`;
      if (!fromKept.ok && fromKept.error === 'InvalidInput') differences.push(`${label}: refused: ${fromKept.message}`);
      if (JSON.stringify(fromKept) !== JSON.stringify(fromCurrent)) differences.push(`${label}: ${JSON.stringify(fromKept).slice(0, 300)} != ${JSON.stringify(fromCurrent).slice(0, 300)}`);
      if (JSON.stringify(observed(keptRun)) !== JSON.stringify(observed(currentRun))) differences.push(`${label}: the account differs after it`);
    }
    expect(differences).toEqual([]);
  });
});

test('every scenario\'s kept payloads have their account', () => {
  const scenarios = new Set(KEPT.flatMap((k) => k.payloads.map((p) => `${p.commit} ${p.scenario}`)));
  expect([...scenarios].filter((s) => !REPLAYS.some((a) => `${a.commit} ${a.scenario}` === s))).toEqual([]);
  expect(REPLAYS.map((a) => a.scenario).sort()).toEqual(expect.arrayContaining(Object.keys(PAYLOAD_SCENARIOS).sort()));
});

test('the replay tells apart a payload that does something else: a redrive claiming as another execution is superseded', async () => {
  const account = REPLAYS.find((a) => a.scenario === 'deploy-redriven') as KeptAccount;
  const kept = KEPT.find((k) => k.machine === 'deploy' && k.state === 'Update the service and wait for its deployment');
  const redriven = kept?.payloads.find((p) => p.commit === account.commit && p.scenario === 'deploy-redriven' && p.context.redriveCount === 1);
  expect(redriven).toBeDefined();
  const task = TASKS.get('deploy / Update the service and wait for its deployment') as LambdaTask;
  const outcomes: Outcome[] = [];
  for (const executionArn of [redriven?.context.executionArn, `${redriven?.context.executionArn}-other`]) {
    const run = new LocalRun(account.world as WorldFile, ROOT);
    stateFromJson(JSON.stringify(account.state), account.scenario).restore(run);
    const payload = { ...(currentPayloadFor(task, redriven as NonNullable<typeof redriven>) as Record<string, unknown>), executionArn };
    outcomes.push(await invoke(run, 'updateService', payload));
  }
  // The execution's own ARN re-claims the app it held; another execution's is refused the claim.
  expect(outcomes.map((o) => (o.ok ? (o.result as { action: string }).action : o.error))).toEqual(['reuse', 'superseded']);
});
