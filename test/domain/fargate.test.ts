import { describeSizes, FARGATE_CPU_UNITS, fargateTaskSizeProblem, isFargateTaskSize } from '../../domain/fargate';

/**
 * The Fargate task size table (domain/fargate.ts) against the rows of AWS's table, written out here from
 * docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size.
 */
const GiB = 1024;
const rows: [cpu: number, memory: number[]][] = [
  [256, [512, 1024, 2048]],
  [512, [1, 2, 3, 4].map((g) => g * GiB)],
  [1024, [2, 3, 4, 5, 6, 7, 8].map((g) => g * GiB)],
  [2048, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].map((g) => g * GiB)],
  [4096, Array.from({ length: 23 }, (_, i) => (8 + i) * GiB)],
  [8192, [16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60].map((g) => g * GiB)],
  [16384, [32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120].map((g) => g * GiB)],
];

describe('Fargate task sizes', () => {
  test('every pair of the table is a task size, 74 in all, and nothing between its steps', () => {
    const valid = rows.flatMap(([cpu, memory]) => memory.map((m) => [cpu, m] as const));
    expect(valid).toHaveLength(74);
    for (const [cpu, memory] of valid) expect(isFargateTaskSize(cpu, memory)).toBe(true);
    // Every other multiple of 512 MiB up to 120 GiB, for each CPU size, is refused.
    for (const cpu of FARGATE_CPU_UNITS) {
      for (let memory = 512; memory <= 120 * GiB; memory += 512) {
        const expected = valid.some(([c, m]) => c === cpu && m === memory);
        expect([cpu, memory, isFargateTaskSize(cpu, memory)]).toEqual([cpu, memory, expected]);
      }
    }
  });

  test('the 8 and 16 vCPU sizes step by 4 and 8 GiB', () => {
    expect(isFargateTaskSize(8192, 16 * GiB)).toBe(true);
    expect(isFargateTaskSize(8192, 17 * GiB)).toBe(false);
    expect(isFargateTaskSize(8192, 64 * GiB)).toBe(false);
    expect(isFargateTaskSize(16384, 120 * GiB)).toBe(true);
    expect(isFargateTaskSize(16384, 36 * GiB)).toBe(false);
    expect(isFargateTaskSize(16384, 128 * GiB)).toBe(false);
  });

  test('a refused pair says what to write instead: the memory of its cpu, and the cpus of its memory', () => {
    expect(fargateTaskSizeProblem(256, 512)).toBeUndefined();
    const problem = fargateTaskSizeProblem(256, 8192);
    expect(problem).toContain('Fargate has no task size of 256 CPU units with 8192 MiB');
    expect(problem).toContain('with cpu 256 choose memory 512, 1024 or 2048 MiB');
    expect(problem).toContain('or keep memory 8192 with cpu 1024, 2048 or 4096');
    expect(fargateTaskSizeProblem(2048, 2048)).toContain('with cpu 2048 choose memory 4096 to 16384 in steps of 1024 MiB');
    expect(fargateTaskSizeProblem(300, 512)).toContain('cpu must be one of 256, 512, 1024, 2048, 4096, 8192 or 16384');
    expect(fargateTaskSizeProblem(16384, 130000)).not.toContain('or keep memory');
  });

  test('describeSizes writes a range only for evenly spaced lists', () => {
    expect(describeSizes([1024, 2048, 3072, 4096, 5120])).toBe('1024 to 5120 in steps of 1024');
    expect(describeSizes([256, 512, 1024, 2048, 4096])).toBe('256, 512, 1024, 2048 or 4096');
    expect(describeSizes([256])).toBe('256');
  });
});
