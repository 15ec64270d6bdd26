/**
 * The task sizes AWS Fargate runs: the facts both the config check (lib/task-limits.ts, at synth) and the
 * simulated ECS (lib/local/aws-limits.ts, at RegisterTaskDefinition) read, so neither can accept a size
 * the other refuses.
 *
 * Source: "Task CPU and memory" in the Amazon ECS Developer Guide
 * (docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size, the same
 * table in task-cpu-memory-error.html and in API_TaskDefinition `cpu`/`memory`):
 *
 * | CPU units | memory (MiB) | operating systems |
 * |---|---|---|
 * | 256 (.25 vCPU) | 512, 1024, 2048 | Linux |
 * | 512 (.5 vCPU) | 1024 to 4096 in steps of 1024 | Linux |
 * | 1024 (1 vCPU) | 2048 to 8192 in steps of 1024 | Linux, Windows |
 * | 2048 (2 vCPU) | 4096 to 16384 in steps of 1024 | Linux, Windows |
 * | 4096 (4 vCPU) | 8192 to 30720 in steps of 1024 | Linux, Windows |
 * | 8192 (8 vCPU) | 16384 to 61440 in steps of 4096 | Linux (platform version 1.4.0 or later) |
 * | 16384 (16 vCPU) | 32768 to 122880 in steps of 8192 | Linux (platform version 1.4.0 or later) |
 *
 * ARM64 (`runtimePlatform.cpuArchitecture`) runs Linux tasks only ("This option is available for tasks that
 * run on Linux ... or Linux containers on Fargate", API_RuntimePlatform); it has the Linux sizes. Slipway
 * registers Linux X86_64 tasks on platform version LATEST (1.4.0 or later), so every row applies to it.
 */

/** One row of the table: the memory sizes (MiB) a CPU size allows, and whether Windows tasks may use it. */
export interface FargateTaskSize {
  readonly cpu: number;
  readonly memory: readonly number[];
  readonly windows: boolean;
}

const range = (from: number, to: number, step: number): number[] => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** The Fargate task sizes, smallest first. */
export const FARGATE_TASK_SIZES: readonly FargateTaskSize[] = [
  { cpu: 256, memory: [512, 1024, 2048], windows: false },
  { cpu: 512, memory: range(1024, 4096, 1024), windows: false },
  { cpu: 1024, memory: range(2048, 8192, 1024), windows: true },
  { cpu: 2048, memory: range(4096, 16384, 1024), windows: true },
  { cpu: 4096, memory: range(8192, 30720, 1024), windows: true },
  { cpu: 8192, memory: range(16384, 61440, 4096), windows: false },
  { cpu: 16384, memory: range(32768, 122880, 8192), windows: false },
];

/** The CPU sizes Fargate runs, in CPU units. */
export const FARGATE_CPU_UNITS: readonly number[] = FARGATE_TASK_SIZES.map((s) => s.cpu);

/** Whether Fargate runs a task of this many CPU units with this much memory (MiB) on Linux. */
export function isFargateTaskSize(cpu: number, memory: number): boolean {
  return FARGATE_TASK_SIZES.some((s) => s.cpu === cpu && s.memory.includes(memory));
}

/** "1024, 2048 or 3072", or "4096 to 16384 in steps of 1024" for a long list. */
export function describeSizes(values: readonly number[]): string {
  const step = values[1] - values[0];
  const evenlySpaced = values.every((v, i) => i === 0 || v - values[i - 1] === step);
  if (values.length > 4 && evenlySpaced) return `${values[0]} to ${values[values.length - 1]} in steps of ${step}`;
  return values.length === 1 ? String(values[0]) : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/**
 * What to write instead of a CPU/memory pair Fargate does not run, in words a person acts on; undefined when
 * the pair is a Fargate task size.
 */
export function fargateTaskSizeProblem(cpu: number, memory: number): string | undefined {
  if (isFargateTaskSize(cpu, memory)) return undefined;
  const row = FARGATE_TASK_SIZES.find((s) => s.cpu === cpu);
  const cpus = FARGATE_TASK_SIZES.filter((s) => s.memory.includes(memory)).map((s) => s.cpu);
  const forCpu = row ? `with cpu ${cpu} choose memory ${describeSizes(row.memory)} MiB` : `cpu must be one of ${describeSizes(FARGATE_CPU_UNITS)}`;
  const forMemory = cpus.length > 0 ? `, or keep memory ${memory} with cpu ${describeSizes(cpus)}` : '';
  return `Fargate has no task size of ${cpu} CPU units with ${memory} MiB: ${forCpu}${forMemory} (the Fargate task size table, docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size)`;
}
