import { fargateTaskSizeProblem } from '../domain/fargate';
import { containerCommand } from '../domain/schedules';

/**
 * What ECS refuses in a task definition or a RunTask request that an app's config can reach, checked at
 * synth (from the config loader, lib/deployment-config.ts) so that a config AWS would refuse at the first
 * push (RegisterTaskDefinition in the build pipeline, RunTask in the release pipeline or a schedule)
 * fails `cdk synth` instead, naming the key. The simulated account (lib/local/aws-limits.ts) refuses the
 * same requests with ECS's error, from the same facts (domain/fargate.ts).
 *
 * Limits a config cannot reach, and why: containers per task definition (ECS: 10; Slipway registers one
 * container per process type), the environment (Slipway sets `PORT` and three `SLIPWAY_*` variables; the
 * app's own keys are Parameter Store secrets, `slipway config set`), ephemeral storage (Fargate's default
 * 20 GiB; the config has no key for it), container ports (the config's `port` is already 1-65535).
 */

/** One problem, at a path below the app's config (`['processes', 'web', 'memory']`). */
export interface TaskLimitIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * RunTask `overrides`: "A total of 8192 characters are allowed for overrides. This limit includes the JSON
 * formatting characters of the override structure." (API_RunTask, docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html);
 * ECS answers `InvalidParameterException: Container Overrides length must be at most 8192`.
 */
export const RUN_TASK_OVERRIDES_MAX_CHARACTERS = 8192;

/** Task definition size: 64 KiB, not adjustable (docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). */
export const TASK_DEFINITION_MAX_BYTES = 64 * 1024;

/**
 * What Slipway keeps free in a task definition for what is not the command: the family, the two role ARNs,
 * the log settings, the environment, the tags and one secret per config key (about 150 bytes each, so
 * room for 50 keys). A command longer than the rest leaves is refused.
 */
export const TASK_DEFINITION_RESERVED_BYTES = 8 * 1024;

/** The characters of a RunTask `overrides` that runs `command` in the container `container`, as ECS counts them. */
export function runTaskOverridesLength(container: string, command: readonly string[]): number {
  return JSON.stringify({ containerOverrides: [{ name: container, command }] }).length;
}

/** The parts of an app's config these checks read (the parsed config, before its defaults are applied or after). */
export interface TaskLimitsInput {
  readonly processes: Record<string, { readonly cpu?: number; readonly memory?: number; readonly command?: readonly string[] }>;
  readonly releaseCommand?: readonly string[];
  readonly releaseProcess?: string;
  readonly schedules?: readonly { readonly command: string | readonly string[]; readonly process?: string }[];
}

/** Every ECS limit the app's config breaks; empty when ECS accepts what the config makes. */
export function taskLimitIssues(app: TaskLimitsInput): TaskLimitIssue[] {
  const issues: TaskLimitIssue[] = [];
  for (const [name, p] of Object.entries(app.processes)) {
    const problem = fargateTaskSizeProblem(p.cpu ?? 256, p.memory ?? 512);
    if (problem) issues.push({ path: ['processes', name, 'memory'], message: problem });
    if (p.command) {
      const bytes = Buffer.byteLength(JSON.stringify(p.command), 'utf8');
      const room = TASK_DEFINITION_MAX_BYTES - TASK_DEFINITION_RESERVED_BYTES;
      if (bytes > room) {
        issues.push({ path: ['processes', name, 'command'], message: `the command is ${bytes} bytes of JSON; an ECS task definition may be at most 64 KiB, and Slipway keeps ${TASK_DEFINITION_RESERVED_BYTES} bytes of it for the rest (roles, log settings, one secret per config key): at most ${room} bytes. Move the script into the image and run it by name` });
      }
    }
  }
  const overrides = (path: (string | number)[], container: string, command: readonly string[], what: string) => {
    const length = runTaskOverridesLength(container, command);
    if (length > RUN_TASK_OVERRIDES_MAX_CHARACTERS) {
      issues.push({ path, message: `${what} runs as an ECS RunTask override of ${length} characters, and ECS allows at most ${RUN_TASK_OVERRIDES_MAX_CHARACTERS} (API_RunTask "overrides"): move the script into the image and run it by name` });
    }
  };
  if (app.releaseCommand) overrides(['releaseCommand'], app.releaseProcess ?? 'web', app.releaseCommand, 'the release command');
  (app.schedules ?? []).forEach((s, i) => {
    overrides(['schedules', i, 'command'], s.process ?? 'web', containerCommand(s.command as string | string[]), 'the scheduled command');
  });
  return issues;
}
