import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import 'aws-sdk-client-mock-jest';
import { addSchedule, listSchedules, removeSchedule } from '../../../lib/ops/schedules';
import { mock, REF, ssm } from './parameter-fixtures';

/** The app's schedules list in Parameter Store (`slipway schedules`), with the SSM client mocked. */

const SCHEDULES = '/slipway/apps/example/schedules';

beforeEach(() => mock.reset());

describe('schedules', () => {
  const existing = [{ name: 'cleanup', schedule: 'rate(1 hour)', command: 'bin/cleanup', process: 'worker' }];

  test('list reads the schedules parameter; a missing parameter is an empty list', async () => {
    mock.on(GetParameterCommand).rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));

    expect(await listSchedules({ ssm }, REF)).toEqual([]);
  });

  test('add appends a validated entry and writes the list back as a String', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });
    mock.on(PutParameterCommand).resolves({ Version: 2 });

    await addSchedule({ ssm }, REF, { name: 'report', schedule: 'cron(0 3 * * ? *)', command: 'bin/report', process: 'web' });

    const written = JSON.parse(mock.commandCalls(PutParameterCommand)[0].args[0].input.Value ?? '[]') as { name: string }[];
    expect(written.map((s) => s.name)).toEqual(['cleanup', 'report']);
    expect(mock).toHaveReceivedCommandWith(PutParameterCommand, { Name: SCHEDULES, Type: 'String', Overwrite: true });
  });

  test.each([
    ['five cron fields', 'cron(0 3 * * *)'],
    ['rate(1 hours)', 'rate(1 hours)'],
    ['an injection', 'rate(1 hour) && curl evil'],
  ])('add refuses %s as a usage error (UsageError, exit 2), writing nothing', async (_, expression) => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: '[]' } });

    await expect(addSchedule({ ssm }, REF, { schedule: expression, command: 'x', process: 'web' })).rejects.toMatchObject({ name: 'UsageError' });
    expect(mock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  test('add refuses a duplicate name', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });

    await expect(addSchedule({ ssm }, REF, { name: 'cleanup', schedule: 'rate(2 hours)', command: 'x', process: 'web' })).rejects.toThrow('a schedule named "cleanup" already exists');
  });

  test('remove writes the list without the entry', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });
    mock.on(PutParameterCommand).resolves({ Version: 2 });

    await removeSchedule({ ssm }, REF, 'cleanup');

    expect(mock).toHaveReceivedCommandWith(PutParameterCommand, { Name: SCHEDULES, Value: '[]' });
  });

  test('remove of an unknown name is ScheduleNotFound, listing the names there are', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });

    await expect(removeSchedule({ ssm }, REF, 'nope')).rejects.toMatchObject({ name: 'ScheduleNotFound', message: expect.stringContaining('(cleanup)') });
  });
});
