import validator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { LocalRun } from '../../lib/local/runner';
import { buildEvent } from '../../bench/fixtures';
import { derivePollingBaseline, EVENT_DRIVEN_WAIT, pollingBaselineText } from '../../bench/baseline/derive';
import { extrasFor, measurePipeline, POLLING_ASL, settleWorld } from '../../bench/pipeline';
import { ROOT } from '../statemachines/scenarios';

/** Runs the example app end to end with one deploy variant and both deployments settling after `seconds`. */
async function runVariant(variant: 'slipway' | 'polling', seconds: number): Promise<LocalRun> {
  const run = new LocalRun(settleWorld(seconds, variant), ROOT, extrasFor(variant));
  await run.run('build', buildEvent(ROOT));
  return run;
}

/** The polling variant settling after 60 s, run once for the tests that only read its record. */
let polling60: Promise<LocalRun> | undefined;
const pollingAt60 = (): Promise<LocalRun> => (polling60 ??= runVariant('polling', 60));

const deployOf = (run: LocalRun) => {
  const d = run.executions.find((e) => e.stateMachine === 'deploy');
  if (!d) throw new Error('no deploy execution');
  return d;
};

describe('polling baseline (bench/baseline/deploy-polling.asl.json)', () => {
  test('is the common samples\' loop: Wait 15 s -> describe the service -> Choice', () => {
    const def = JSON.parse(readFileSync(POLLING_ASL, 'utf8')) as { States: Record<string, { ItemProcessor: { States: Record<string, Record<string, unknown>> } }> };

    const states = def.States['Deploy each process type'].ItemProcessor.States;
    expect(states['Wait 15 seconds']).toMatchObject({ Type: 'Wait', Seconds: 15, Next: 'Describe the service' });
    expect(states['Describe the service']).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ecs:describeServices', Next: 'Is the deployment done?' });
    expect(states['Is the deployment done?']).toMatchObject({ Type: 'Choice', Default: 'Wait 15 seconds' });
  });

  test('validates with asl-validator (ARNs and JSONPaths checked), like the product\'s state machines', () => {
    const result = validator(JSON.parse(readFileSync(POLLING_ASL, 'utf8')) as Record<string, unknown>, { checkArn: true, checkPaths: true });

    expect(result.errors).toEqual([]);
  });

  test('is derived from the current statemachines/deploy.asl.json (else: npx tsx bench/baseline/derive.ts)', () => {
    expect(readFileSync(POLLING_ASL, 'utf8')).toBe(pollingBaselineText(ROOT));
  });

  test('differs from Slipway\'s deploy only inside the Map iteration: the wait states are gone, the rest is kept', () => {
    const deploy = JSON.parse(readFileSync(`${ROOT}/statemachines/deploy.asl.json`, 'utf8')) as Parameters<typeof derivePollingBaseline>[0];
    const baseline = derivePollingBaseline(deploy);

    const { ['Deploy each process type']: _a, ...baselineTop } = baseline.States;
    const { ['Deploy each process type']: _b, ...deployTop } = deploy.States;
    expect(baselineTop).toEqual(deployTop);
    const inner = Object.keys((baseline.States['Deploy each process type'] as { ItemProcessor: { States: object } }).ItemProcessor.States);
    expect(inner.filter((n) => (EVENT_DRIVEN_WAIT as readonly string[]).includes(n))).toEqual([]);
    expect(inner).toEqual(expect.arrayContaining(['Create or update the service', 'Service runs the new release', 'Wait 15 seconds']));
  });

  test('deploys the example app and records the release', async () => {
    const run = await pollingAt60();

    expect(run.executions.map((e) => [e.stateMachine, e.status])).toEqual([
      ['build', 'SUCCEEDED'],
      ['release', 'SUCCEEDED'],
      ['deploy', 'SUCCEEDED'],
    ]);
    expect(run.report().world.lastGoodRelease?.build).toBe('42');
  });

  test('its deploy transitions grow by 3 per process per 15 s of ECS time', async () => {
    const run = await runVariant('polling', 600);

    // Per process: create, "already on this release?", 600/15 x (wait, describe, choice), "record the process type deployed" (as Slipway's deploy does), "runs the new release".
    const web = deployOf(run).states.filter((s) => s.iteration === 'web');
    expect(web).toHaveLength(2 + 3 * (600 / 15) + 2);
  });

  test('its Wait states advance the simulated clock and are reported as Waits, 15 s apart', async () => {
    const run = await pollingAt60();

    const waits = deployOf(run).states.filter((s) => s.iteration === 'web' && s.name === 'Wait 15 seconds');
    expect(waits.every((w) => w.type === 'Wait')).toBe(true);
    expect(waits.slice(1).map((w, i) => w.at - waits[i].at)).toEqual(waits.slice(1).map(() => 15));
  });

  test('the timeline shows a state entered while another iteration waits at the time it was entered', async () => {
    const run = await pollingAt60();

    const deploy = deployOf(run);
    const firstWaits = ['web', 'worker'].map((p) => deploy.states.find((s) => s.iteration === p && s.name === 'Wait 15 seconds')?.at);
    expect(firstWaits).toEqual([deploy.startedAt, deploy.startedAt]);
  });
});

describe('measurePipeline', () => {
  test('the world records when each deployment completed: the settle time after the deploy started', async () => {
    const run = await runVariant('slipway', 60);

    const started = deployOf(run).startedAt;
    expect(run.world.completedDeployments.map((d) => d.at)).toEqual([started + 60, started + 60]);
  });

  test('polling sees a completion at its next poll: 63 s of ECS time is seen 12 s late', async () => {
    const sample = await measurePipeline('polling', 63, ROOT);

    expect(sample.succeeded).toBe(true);
    expect(sample.latencySeconds).toBe(15 - (63 % 15));
  });

  test('Slipway records the release when the completion event is delivered, whatever the settle time', async () => {
    const early = await measurePipeline('slipway', 63, ROOT);
    const late = await measurePipeline('slipway', 600, ROOT);

    expect(early.latencySeconds).toBe(late.latencySeconds);
    expect(early.latencySeconds).toBeLessThan(15 - (63 % 15));
  });

  test('the polling baseline invokes no Lambda while it waits: the same invocations at 60 s and 600 s', async () => {
    const fast = await measurePipeline('polling', 60, ROOT);
    const slow = await measurePipeline('polling', 600, ROOT);

    expect(slow.lambdaInvocations).toBe(fast.lambdaInvocations);
    expect(slow.stateTransitions).toBeGreaterThan(fast.stateTransitions);
  });
});
