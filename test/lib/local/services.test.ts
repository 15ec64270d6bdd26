import { SimulatedClock } from '../../../lib/local/services/clock';
import { SimulatedStepFunctions, type ExecutionReport } from '../../../lib/local/services/stepfunctions';
import { World } from '../../../lib/local/world';
import { worldSchema } from '../../../lib/local/world-schema';
import { buildSettings } from '../../functions/helpers';

/**
 * The simulated services on their own (lib/local/services/): the clock that every wait runs on, and
 * Step Functions' answers about a run's executions.
 */

describe('the simulated clock', () => {
  test('runs what is due in time order (ties in the order scheduled) while a wait moves the clock', async () => {
    const clock = new SimulatedClock(Date.parse('2026-01-01T00:00:00Z'), () => 300);
    const ran: string[] = [];
    clock.schedule(20, 'b', () => void ran.push(`b@${clock.now}`));
    clock.schedule(10, 'a', () => void ran.push(`a@${clock.now}`));
    clock.schedule(20, 'c', () => void ran.push(`c@${clock.now}`));
    expect(await clock.runUntil(() => ran.length === 3, 100)).toBe(true);
    expect(ran).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now).toBe(20);
    expect(clock.isoNow()).toBe('2026-01-01T00:00:20.000Z');
  });

  test('a wait whose condition never holds ends at its deadline, the clock there', async () => {
    const clock = new SimulatedClock(0, () => 300);
    expect(await clock.runUntil(() => false, 45)).toBe(false);
    expect(clock.now).toBe(45);
  });

  test('the sweep runs every sweepEverySeconds while something waits', async () => {
    const clock = new SimulatedClock(0, () => 300);
    const sweeps: number[] = [];
    clock.onSweep = async () => void sweeps.push(clock.now);
    await clock.runUntil(() => false, 1000);
    expect(sweeps).toEqual([300, 600, 900]);
  });

  test('the deadline check and the sweep each run at their own interval, together when they meet', async () => {
    const clock = new SimulatedClock(0, () => 300, () => 60);
    const due: string[] = [];
    clock.onSweep = async (d) => void due.push(`${clock.now}:${d.deadlineCheck ? 'check' : ''}${d.sweep ? '+sweep' : ''}`);
    await clock.runUntil(() => false, 610);
    expect(due).toEqual(['60:check', '120:check', '180:check', '240:check', '300:check+sweep', '360:check', '420:check', '480:check', '540:check', '600:check+sweep']);
  });

  test('a sleep waits passively: it ends when another wait moves the clock past it', async () => {
    const clock = new SimulatedClock(0, () => 300);
    let woke: number | undefined;
    void clock.sleep(30).then(() => (woke = clock.now));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBeUndefined();
    await clock.runUntil(() => woke !== undefined, 100);
    expect(woke).toBe(30);
  });
});

describe('simulated Step Functions', () => {
  const arns = { deploy: 'arn:aws:states:us-east-1:123456789012:stateMachine:slipway-production-deploy' };
  const execution = (name: string, status: ExecutionReport['status']): ExecutionReport => ({
    stateMachine: 'deploy',
    name,
    arn: `${arns.deploy.replace(':stateMachine:', ':execution:')}:${name}`,
    status,
    redriveCount: 0,
    startedAt: 0,
    states: [],
    input: {},
    history: [],
  });

  function stepFunctions(executions: ExecutionReport[]): SimulatedStepFunctions {
    const world = new World(worldSchema.parse({ app: 'example' }), buildSettings(), 'control-table');
    return new SimulatedStepFunctions(world, executions, arns);
  }

  test('ListExecutions lists newest first, of one status, a page at a time', () => {
    const sfn = stepFunctions([execution('one', 'SUCCEEDED'), execution('two', 'FAILED'), execution('three', 'SUCCEEDED')]);
    const first = sfn.listExecutions({ stateMachineArn: arns.deploy, statusFilter: 'SUCCEEDED', maxResults: 1 });
    expect(first.executions?.map((e) => e.name)).toEqual(['three']);
    expect(first.nextToken).toBe('1');
    const second = sfn.listExecutions({ stateMachineArn: arns.deploy, statusFilter: 'SUCCEEDED', maxResults: 1, nextToken: first.nextToken });
    expect(second.executions?.map((e) => e.name)).toEqual(['one']);
    expect(second.nextToken).toBeUndefined();
  });

  test('ListExecutions refuses an unknown state machine and a maxResults over 1000', () => {
    const sfn = stepFunctions([]);
    expect(() => sfn.listExecutions({ stateMachineArn: `${arns.deploy}-nope` })).toThrow(expect.objectContaining({ name: 'StateMachineDoesNotExist' }));
    expect(() => sfn.listExecutions({ stateMachineArn: arns.deploy, maxResults: 1001 })).toThrow(expect.objectContaining({ name: 'ValidationException' }));
  });

  test('a task token settles once: an unknown token does not exist, a settled one is closed', () => {
    const sfn = stepFunctions([]);
    const { token, pending } = sfn.newToken();
    expect(sfn.hasOpenTokens()).toBe(true);
    expect(() => sfn.settleToken('nope', { ok: true, output: '{}' })).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
    sfn.settleToken(token, { ok: true, output: '{"done":true}' });
    expect(pending).toMatchObject({ settled: true, result: { ok: true, output: '{"done":true}' } });
    expect(sfn.hasOpenTokens()).toBe(false);
    expect(() => sfn.settleToken(token, { ok: false, error: 'E', cause: '' })).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  test('DescribeExecution of an execution the run does not hold: ExecutionDoesNotExist', () => {
    expect(() => stepFunctions([]).describeExecution(`${arns.deploy}:nope`)).toThrow(expect.objectContaining({ name: 'ExecutionDoesNotExist' }));
  });
});
