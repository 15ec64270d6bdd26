import { LocalRun, type LocalRunExtras } from '../../lib/local/runner';
import { CONFIG_PATH, parameterEvent } from './config-scenarios';
import { buildEvent, exampleWorld, ROOT } from './scenarios';

/**
 * The scenarios whose local runs give the payloads of the kept ASL fixtures
 * (test/fixtures/asl-payloads/, written by scripts/capture-asl-payloads.ts from an earlier release's
 * ASL files) and that test/statemachines/asl-contract-upgrade.test.ts runs again with the current ones.
 * Together they enter every Lambda task of every state machine, first attempts and redriven ones.
 * Deterministic: the same world, events and simulated clock give the same payloads.
 */
export const PAYLOAD_SCENARIOS: Readonly<Record<string, (extras: LocalRunExtras) => Promise<LocalRun[]>>> = {
  /** build 42 over 41 (build -> release -> deploy), a config key set (config-change -> redeploy), the schedules list changed (config-change -> schedules). */
  push: async (extras) => {
    const run = new LocalRun(exampleWorld(), ROOT, extras);
    await run.run('build', buildEvent());
    // Parameter Store changes with fixed event ids, so that the executions they start have the same names in every run.
    const key = `${CONFIG_PATH}/A`;
    run.world.ssm.parameters.set(key, { name: key, type: 'SecureString', value: 'a', version: 1, lastModified: run.world.now });
    await run.run('config-change', { ...parameterEvent('create', key), id: '2b7c9e41-5d3a-4f8e-b6c0-7a1e9d3f5b20' });
    await run.runScheduled();
    await run.run('config-change', { ...parameterEvent('update', '/slipway/apps/example/schedules'), id: '6e0f3a52-8f64-4c1e-9a57-1d0c2b7e9f10' });
    await run.runScheduled();
    return [run];
  },
  /** The worker's deployment rolls back, the deploy fails; redriven, the worker's wait state runs again (RedriveCount 1) and completes. */
  'deploy-redriven': async (extras) => {
    const run = new LocalRun(exampleWorld({ deployments: { worker: [{ outcome: 'rollsBack', afterSeconds: 60 }, { outcome: 'completes', afterSeconds: 30 }] } }), ROOT, extras);
    await run.run('build', buildEvent());
    const deploy = run.executions.find((e) => e.stateMachine === 'deploy' && e.status === 'FAILED');
    if (!deploy) throw new Error('deploy-redriven: the deploy did not fail');
    await run.redrive(deploy);
    return [run];
  },
  /**
   * A release task that stops normally but is judged failed (an essential sidecar exited 1): "Stop on the
   * failed release"; redriven after the fix, the same state is entered again (RedriveCount 1).
   */
  'release-judged-failed': async (extras) => {
    const first = new LocalRun(exampleWorld(), ROOT, extras);
    await first.run('build', buildEvent());
    const input = structuredClone(first.executions.find((e) => e.stateMachine === 'release')?.input) as { release: { essentialContainers: string[] } };
    input.release.essentialContainers = ['web', 'log-router'];
    const world = exampleWorld({ release: { exitCode: 0, sidecar: { name: 'log-router', exitCode: 1 } } });
    const run = new LocalRun(world, ROOT, extras);
    for (const process of ['web', 'worker']) run.world.seedRevision(process, '42');
    // The app's record of build 42, as the build pipeline wrote it (the deploy checks the build against it).
    for (const item of first.world.table.all()) if (item.pk?.S === 'BUILD') run.world.table.put(structuredClone(item));
    await run.run('release', input);
    await run.redriveAfterFix(world, { release: { sidecar: { name: 'log-router', exitCode: 0 } } });
    return [first, run];
  },
};
