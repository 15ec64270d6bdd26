import { parseDeploymentConfig } from '../../lib/deployment-config';
import { RUN_TASK_OVERRIDES_MAX_CHARACTERS, runTaskOverridesLength, TASK_DEFINITION_MAX_BYTES, TASK_DEFINITION_RESERVED_BYTES } from '../../lib/task-limits';
import { configErrorOf } from '../helpers/config-errors';

/** A config with one app whose fields `app` replaces. */
function config(app: Record<string, unknown>): Record<string, unknown> {
  return {
    clusters: [{ name: 'production' }],
    apps: [{ name: 'example', cluster: 'production', repository: { owner: 'o', name: 'r' }, httpOnly: true, processes: { web: { port: 3000 } }, ...app }],
  };
}

/** A command whose RunTask override in container `web` has exactly `length` characters. */
function commandOfOverride(length: number): string[] {
  const fixed = runTaskOverridesLength('web', ['']);
  return ['x'.repeat(length - fixed)];
}

describe('the config refuses what ECS refuses at the first push', () => {
  test('cpu 256 with 8192 MiB fails synth naming the key and the pairs Fargate runs', () => {
    const message = configErrorOf(config({ processes: { web: { port: 3000, cpu: 256, memory: 8192 } } }));
    expect(message).toMatch(/^invalid config: apps\[0\]\.processes\.web\.memory: Fargate has no task size of 256 CPU units with 8192 MiB: with cpu 256 choose memory 512, 1024 or 2048 MiB, or keep memory 8192 with cpu 1024, 2048 or 4096/);
  });

  test('the default memory (512 MiB) with a larger cpu is refused too: 1024 CPU units need at least 2048 MiB', () => {
    expect(configErrorOf(config({ processes: { web: { port: 3000, cpu: 1024 } } }))).toContain('apps[0].processes.web.memory: Fargate has no task size of 1024 CPU units with 512 MiB');
  });

  test('each process is checked, and the 8 and 16 vCPU sizes are accepted', () => {
    expect(() => parseDeploymentConfig(config({ processes: { web: { port: 3000, cpu: 8192, memory: 61440 }, worker: { cpu: 16384, memory: 122880 } } }))).not.toThrow();
    expect(configErrorOf(config({ processes: { web: { port: 3000 }, worker: { cpu: 8192, memory: 18432 } } }))).toContain('apps[0].processes.worker.memory: Fargate has no task size of 8192 CPU units with 18432 MiB');
  });

  test('a release command whose RunTask override passes 8192 characters is refused; 8192 exactly is accepted', () => {
    expect(RUN_TASK_OVERRIDES_MAX_CHARACTERS).toBe(8192);
    expect(runTaskOverridesLength('web', commandOfOverride(8192))).toBe(8192);
    expect(() => parseDeploymentConfig(config({ releaseCommand: commandOfOverride(8192) }))).not.toThrow();
    expect(configErrorOf(config({ releaseCommand: commandOfOverride(8193) }))).toContain('apps[0].releaseCommand: the release command runs as an ECS RunTask override of 8193 characters, and ECS allows at most 8192');
  });

  test('a scheduled command is measured as it runs: a string through sh -c', () => {
    const schedule = (command: string) => config({ schedules: [{ schedule: 'rate(1 day)', command }] });
    const fixed = runTaskOverridesLength('web', ['sh', '-c', '']);
    expect(() => parseDeploymentConfig(schedule('x'.repeat(8192 - fixed)))).not.toThrow();
    expect(configErrorOf(schedule('x'.repeat(8193 - fixed)))).toContain('apps[0].schedules[0].command: the scheduled command runs as an ECS RunTask override of 8193 characters');
  });

  test('a process command that leaves the task definition no room under 64 KiB is refused', () => {
    const room = TASK_DEFINITION_MAX_BYTES - TASK_DEFINITION_RESERVED_BYTES;
    const command = (bytes: number) => ['x'.repeat(bytes - 4)]; // ["..."] adds 4 bytes of JSON
    expect(() => parseDeploymentConfig(config({ processes: { web: { port: 3000, command: command(room) } } }))).not.toThrow();
    expect(configErrorOf(config({ processes: { web: { port: 3000, command: command(room + 1) } } }))).toContain(`apps[0].processes.web.command: the command is ${room + 1} bytes of JSON`);
  });
});
