import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRun } from '../../lib/local/runner';
import { CONFIG_PATH, executionsOf, releasedRun } from './config-scenarios';
import { ROOT } from './scenarios';

/**
 * The example inputs of `slipway local run config-change` and `schedules` (test/fixtures/events/, named
 * in its README and the project README) run as they are, through the real ASL.
 */

const input = (file: string) => JSON.parse(readFileSync(join(ROOT, 'test/fixtures/events', file), 'utf8')) as Record<string, unknown>;

test('parameter-store-change.json: the config change redeploys the current release with the key', async () => {
  const run: LocalRun = await releasedRun({ parameters: { [`${CONFIG_PATH}/API_TOKEN`]: { value: 'v2' } } });
  const change = await run.run('config-change', input('parameter-store-change.json'));
  await run.runScheduled();

  expect(change.status).toBe('SUCCEEDED');
  expect(executionsOf(run, 'deploy').map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(executionsOf(run, 'deploy')[1].name).toBe(`example--config-${String(input('parameter-store-change.json').id)}`);
});

test('schedules-input.json: the schedules sync of the example app runs to its end', async () => {
  const run = await releasedRun();
  const sync = await run.run('schedules', input('schedules-input.json'));

  expect(sync.status).toBe('SUCCEEDED');
  expect((sync.input as { app?: string }).app).toBe('example');
});
