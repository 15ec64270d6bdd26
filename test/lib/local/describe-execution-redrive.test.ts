import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { dynamodb, sfn, ssm } from '../../../functions/shared/clients';
import type { OpsClients } from '../../../lib/ops/aws';
import { redrive } from '../../../lib/ops/redrive';
import { executionStatus, renderStatus } from '../../../lib/ops/status';
import { LocalRun } from '../../../lib/local/runner';
import { buildEvent, exampleWorld, ROOT } from '../../statemachines/scenarios';

/**
 * The redrive window and refusals as AWS states them (issue 22): the simulated DescribeExecution answers
 * `redriveStatus` and `redriveStatusReason` as the API reference documents them ("When redriveStatus is
 * NOT_REDRIVABLE, redriveStatusReason specifies the reason why an execution cannot be redriven": a
 * REDRIVABLE execution has none; "Execution redrivable period exceeded." 14 days after it closed), and
 * `slipway status` / `slipway redrive` read against that account show them as AWS gives them.
 */

const DAY = 86_400;

async function failedRelease(): Promise<{ run: LocalRun; arn: string }> {
  // The sweep and the deadline check once a day: weeks of simulated time, not thousands of runs.
  const run = new LocalRun(exampleWorld({ release: { exitCode: 1 }, sweepEverySeconds: DAY, deadlineCheckEverySeconds: DAY }), ROOT);
  await run.run('build', buildEvent());
  const release = run.executions.find((e) => e.stateMachine === 'release');
  expect(release?.status).toBe('FAILED');
  return { run, arn: release?.arn as string };
}

async function waitDays(run: LocalRun, days: number): Promise<void> {
  run.at(run.world.now + days * DAY, 'the operator comes back', () => undefined);
  await run.runScheduled();
}

/** The operator's clients, pointed at the simulated account (its aws-sdk-client-mock mocks of the shared clients). */
function opsClients(): OpsClients {
  return { sfn, dynamodb, ssm, sts: new STSClient({ region: 'us-east-1' }) };
}

async function describe(run: LocalRun, arn: string) {
  const release = run.holdMocks();
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } finally {
    release();
  }
}

test('a failed execution within the window: REDRIVABLE, and no redriveStatusReason (DescribeExecution gives one only when NOT_REDRIVABLE)', async () => {
  const { run, arn } = await failedRelease();
  const d = await describe(run, arn);
  expect(d.redriveStatus).toBe('REDRIVABLE');
  expect(d).not.toHaveProperty('redriveStatusReason');
  expect(d.redriveCount).toBe(0);
});

test('14 days after the close: NOT_REDRIVABLE with "Execution redrivable period exceeded.", shown by slipway status as AWS gives it, refused by slipway redrive', async () => {
  const { run, arn } = await failedRelease();
  const closed = run.executions.find((e) => e.arn === arn)?.endedAt as number;
  // 13 days after the close: still redrivable.
  await waitDays(run, 13);
  expect((await describe(run, arn)).redriveStatus).toBe('REDRIVABLE');
  run.at(closed + 14 * DAY + 60, 'a minute past the window', () => undefined);
  await run.runScheduled();
  const d = await describe(run, arn);
  expect([d.redriveStatus, d.redriveStatusReason]).toEqual(['NOT_REDRIVABLE', 'Execution redrivable period exceeded.']);

  const clock = { now: () => run.world.clock.dateAt(run.world.now), sleep: async () => undefined };
  const release = run.holdMocks();
  try {
    const out = await executionStatus(opsClients(), { arn }, { clock });
    expect(out.redrive).toMatchObject({ verdict: 'not-redrivable', possible: false, status: 'NOT_REDRIVABLE', statusReason: 'Execution redrivable period exceeded.' });
    expect(renderStatus(out)).toContain('\nstep functions: NOT_REDRIVABLE — Execution redrivable period exceeded.');
    await expect(redrive(opsClients(), { arn }, { clock })).rejects.toThrow(/cannot be redriven: it closed more than 14 days ago .*\(Step Functions: Execution redrivable period exceeded\.\)/);
  } finally {
    release();
  }
});

test('a succeeded execution: NOT_REDRIVABLE with the recorded reason', async () => {
  const run = new LocalRun(exampleWorld(), ROOT);
  const build = await run.run('build', buildEvent());
  const d = await describe(run, build.arn);
  expect([d.status, d.redriveStatus, d.redriveStatusReason]).toEqual(['SUCCEEDED', 'NOT_REDRIVABLE', 'Execution is SUCCEEDED and cannot be redriven']);
});
