import * as path from 'node:path';
import { runWithTsx } from '../../cli/child-cli';

/**
 * An endpoint stopped while executions run lets its process end: no server, socket or timer of its own,
 * and none of the engine's, is left holding it. The engine used to keep a 60-second real-time timer for
 * every Task in flight (patches/aws-local-stepfunctions+3.0.0.patch, test/lib/local/engine-task-timers.test.ts),
 * so a process that stopped its endpoint lived on for up to a minute (jest: "A worker process has failed to
 * exit gracefully"). A child process, so that nothing of jest's own keeps it alive or hides what would.
 */
test('the process ends by itself after its endpoint stops with a task in flight', async () => {
  const out = await runWithTsx(path.join(__dirname, 'stop-while-running.ts'), []);
  expect(out.stderr).toBe('');
  expect(out.stdout).toBe('closed with example--45-release RUNNING\n');
  expect(out.code).toBe(0);
});
