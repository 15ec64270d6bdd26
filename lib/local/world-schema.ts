import { z } from 'zod';
import { DEADLINE_CHECK_SECONDS } from '../../domain/constants';
import { appNamePrefix, appOfScopedName, nameRule, PROCESS_NAME } from '../../domain/names';
import { formatZodIssues } from '../../domain/zod-issues';
import { LocalRunError } from './run-error';

/**
 * The "world" file: the simulated account a local run starts from and what will happen in it. Every
 * field is optional; `{}` is a new account where everything succeeds. Documented in docs/local-runs.md.
 */

const processName = z.string().regex(PROCESS_NAME, `a process name (${nameRule('process')})`);
/** A process type of the world's app, or a service name `<app>--<process>` of a hosted app. */
const processOrServiceName = z.string().refine((k) => PROCESS_NAME.test(k) || PROCESS_NAME.test(k.slice(appNamePrefix(appOfScopedName(k) ?? '-').length)), {
  message: `a process name (${nameRule('process')}) or a service name <app>--<process>`,
});

export const deploymentOutcomeSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('completes'), afterSeconds: z.number().int().min(0).default(60) }).strict(),
  z
    .object({
      outcome: z.literal('rollsBack'),
      afterSeconds: z.number().int().min(0).default(120),
      reason: z.string().default('ECS deployment circuit breaker: tasks failed to start.'),
    })
    .strict(),
  z.object({ outcome: z.literal('neverSettles') }).strict(),
  z.object({ outcome: z.literal('replaced'), afterSeconds: z.number().int().min(0).default(30) }).strict(),
]);
export type DeploymentOutcome = z.infer<typeof deploymentOutcomeSchema>;

/** How a release task ends (the world's `release`, and each app's in `releases`). */
const releaseOutcomeSchema = z
  .object({
    exitCode: z.number().int().min(0).max(255).default(0),
    /** The task stops before its container runs (TaskFailedToStart), with this reason. */
    failToStart: z.string().min(1).optional(),
    /** RunTask cannot place the task (a non-empty Failures list), with this reason. */
    placementFailure: z.string().min(1).optional(),
    /** A non-essential sidecar listed before the release container, with its exit code. */
    sidecar: z.object({ name: processName, exitCode: z.number().int().min(0).max(255) }).strict().optional(),
    durationSeconds: z.number().int().min(0).default(45),
  })
  .strict();

export const THROTTLEABLE = ['RegisterTaskDefinition', 'RunTask', 'CreateService', 'UpdateService', 'DescribeServices', 'StartExecution', 'PutEvents', 'ListExecutions'] as const;

/** Every API operation the simulated account answers and counts: each can be made to fail (`errors`). */
export const INJECTABLE = [
  ...THROTTLEABLE,
  'ListTaskDefinitions',
  'DescribeTaskDefinition',
  'RegisterScalableTarget',
  'PutScalingPolicy',
  'DescribeScalableTargets',
  'DescribeScheduledActions',
  'PutScheduledAction',
  'DeleteScheduledAction',
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
] as const;

const injectedError = z
  .object({
    /** The error code AWS answers with, e.g. AccessDeniedException. */
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,99}$/, 'an AWS error code such as AccessDeniedException'),
    message: z.string().max(1000).default('Simulated error injected by the world file'),
    /** How many calls fail; omitted: every call fails until a redrive's patch removes the error. */
    times: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const worldSchema = z
  .object({
    /** Slipway config file the app comes from. @default "config/example.json" */
    config: z.string().min(1).default('config/example.json'),
    /** App (from the config) the events are for, and the per-process fields below describe. @default the config's first app */
    app: z.string().min(1).optional(),
    /**
     * Apps of the config hosted in the simulated account side by side, served by the one shared control
     * plane (each with its settings parameter, its table, its schedule group). @default only `app`
     */
    apps: z.array(z.string().min(1)).min(1).max(1000).optional(),
    account: z.string().regex(/^\d{12}$/, 'a 12-digit account id').default('123456789012'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1').default('us-east-1'),
    /** Simulated time at the start of the run. */
    startTime: z.string().datetime().default('2026-01-01T00:00:00Z'),
    /** Services that exist before the run, by process type, each on a revision of an earlier build. */
    services: z.record(processName, z.object({ build: z.string().regex(/^\d+$/) }).strict()).default({}),
    /**
     * Builds whose task-definition revisions are registered before the run (one per process type, as the
     * build pipeline registers them), after the `services`' own: what a `release` or `deploy` run of
     * that build needs, since ECS runs only task definitions the account holds.
     */
    registeredBuilds: z.array(z.string().regex(/^\d+$/, 'a build number')).max(20).default([]),
    /** A newer build already deployed or deploying (its claim on the app and its services). */
    newerBuild: z.object({ build: z.string().regex(/^\d+$/), claimed: z.boolean().default(true) }).strict().optional(),
    /** How the release task ends. */
    release: releaseOutcomeSchema.default({ exitCode: 0, durationSeconds: 45 }),
    /**
     * How the release task of one hosted app ends, by app name (instead of `release` for that app's
     * release tasks): a fleet where some apps' releases fail. @default none
     */
    releases: z.record(z.string().min(1), releaseOutcomeSchema).default({}),
    /**
     * The outcome of each deployment of a process type's service, in order (default: completes after 60 s).
     * Keyed by process type (the services of `app`), or by service name `<app>--<process>` (one hosted app's service).
     */
    deployments: z.record(processOrServiceName, z.array(deploymentOutcomeSchema)).default({}),
    /** How many times each call is throttled before it succeeds. */
    throttle: z.partialRecord(z.enum(THROTTLEABLE), z.number().int().min(0).max(100)).default({}),
    /** Errors to answer calls with, by API operation (e.g. `{"RegisterTaskDefinition": {"name": "AccessDeniedException"}}`). */
    errors: z.partialRecord(z.enum(INJECTABLE), injectedError).default({}),
    /** ECS deployment events are lost: only the deadline check (every minute) resumes the deploy. */
    lostEvents: z.boolean().default(false),
    /**
     * Autoscaling registrations that exist before the run, by process type (the service must be in
     * `services`). `{ "min": 0, "max": 0 }` is a service the scale-to-zero schedule has at zero.
     */
    scalableTargets: z.record(processName, z.object({ min: z.number().int().min(0), max: z.number().int().min(0) }).strict()).default({}),
    /** Interval of the sweep schedule. @default 300 */
    sweepEverySeconds: z.number().int().min(60).default(300),
    /** Interval of the deadline check (deployment-events: deploys past their timeout, and lost events). @default 60 (DEADLINE_CHECK_SECONDS) */
    deadlineCheckEverySeconds: z.number().int().min(60).default(DEADLINE_CHECK_SECONDS),
    /** Parameter Store parameters that exist before the run, by name (e.g. /slipway/apps/example/config/DATABASE_URL). */
    parameters: z
      .record(
        z.string().regex(/^\/[A-Za-z0-9_.\-/]{1,2047}$/, 'a Parameter Store name (absolute path)'),
        z.object({ value: z.string(), type: z.enum(['String', 'SecureString', 'StringList']).default('SecureString'), tier: z.enum(['Standard', 'Advanced']).default('Standard') }).strict(),
      )
      .default({}),
  })
  .strict();

export type WorldFile = z.input<typeof worldSchema>;
export type WorldSpec = z.infer<typeof worldSchema>;

/**
 * A world file as a run reads it. @throws LocalRunError `<problem>: <the first issue>`, e.g.
 * `invalid world: releases.example.exitCode: ...`.
 */
export function parseWorld(world: unknown, problem = 'invalid world'): WorldSpec {
  const parsed = worldSchema.safeParse(world);
  if (!parsed.success) throw new LocalRunError(`${problem}: ${formatZodIssues(parsed.error.issues, { max: 1 })}`);
  return parsed.data;
}
