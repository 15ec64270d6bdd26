import * as z from 'zod/mini';
import { APP_NAME, PROCESS_NAME } from './names';
import { isTimeZone, TIME_OF_DAY, WEEKDAYS } from './scale-schedule';
import { issuePath } from './zod-issues';
// For its side effect: English messages for the settings schema's issues (and every other schema in the bundle).
import './zod-english';
import { CONFIG_DEBOUNCE_DEFAULT_SECONDS, CPU_TARGET_DEFAULT_PERCENT, DEPLOY_TIMEOUT_DEFAULT_MINUTES } from './constants';

/**
 * The app's settings: what the pipelines need to register task definitions, run the release task and
 * create or update services, and where the app's records are (its table). The app stack writes them
 * (CloudFormation owns these values) as the JSON of the String parameter `/<prefix>/apps/<app>/settings`
 * (settingsParameterName in domain/names.ts); the shared control plane's functions read it with
 * ./settings-store.ts. See docs/design.md, "Who owns what".
 *
 * Schemas use `zod/mini`: the full zod build is ~440 KB of each Lambda bundle, mini a few KB.
 */

/** The deployment's prefix and the names of clusters and databases: lowercase letters, digits and hyphens, 40 characters at most. */
export const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const nonEmpty = () => z.string().check(z.minLength(1));
const keyValue = z.object({ name: nonEmpty(), value: z.string() });
const secret = z.object({ name: nonEmpty(), valueFrom: nonEmpty() });

export const autoscalingSchema = z.object({
  min: z.int().check(z.gte(0)),
  max: z.int().check(z.gte(1)),
  cpuTarget: z._default(z.number().check(z.gte(1), z.lte(100)), CPU_TARGET_DEFAULT_PERCENT),
});

/** A non-production app's scale-to-zero schedule (./scale-schedule.ts). */
export const scaleScheduleSchema = z.object({
  timeZone: z.string().check(z.refine(isTimeZone, { message: 'must be an IANA time zone' })),
  days: z.array(z.enum(WEEKDAYS)).check(z.minLength(1)),
  stopAt: z.string().check(z.regex(TIME_OF_DAY)),
  startAt: z.string().check(z.regex(TIME_OF_DAY)),
});

export const processSettingsSchema = z.object({
  /** Task-definition family, e.g. `slipway-example--web`. */
  family: z.string().check(z.minLength(1), z.maxLength(255)),
  cpu: nonEmpty(),
  memory: nonEmpty(),
  /** The container's command; absent means the image's CMD. */
  command: z.optional(z.array(z.string())),
  /** The container port the load balancer sends traffic to (web-like processes only). */
  port: z.optional(z.int().check(z.gte(1), z.lte(65535))),
  executionRoleArn: nonEmpty(),
  taskRoleArn: nonEmpty(),
  logGroup: nonEmpty(),
  environment: z._default(z.array(keyValue), []),
  secrets: z._default(z.array(secret), []),
  desiredCount: z.int().check(z.gte(0)),
  targetGroupArn: z.optional(nonEmpty()),
  healthCheckGracePeriodSeconds: z.optional(z.int().check(z.gte(0))),
  autoscaling: z.optional(autoscalingSchema),
});

export const appSettingsSchema = z.object({
  app: z.string().check(z.regex(APP_NAME)),
  region: nonEmpty(),
  /** The app's own DynamoDB table (builds, releases, claims): the shared control plane reads and writes the app's records there. */
  table: nonEmpty(),
  /**
   * Name of the shared control plane that serves the app (its cluster's name): its state machines are
   * `<prefix>-<controlPlane>-<pipeline>` ({@link ../../domain/names stateMachineName}).
   */
  controlPlane: z.string().check(z.regex(RESOURCE_NAME)),
  /** Seconds a config change waits for more changes before redeploying (app config `configDebounceSeconds`). */
  configDebounceSeconds: z._default(z.int().check(z.gte(0), z.lte(3600)), CONFIG_DEBOUNCE_DEFAULT_SECONDS),
  /** ECS cluster name or ARN. */
  cluster: nonEmpty(),
  imageRepositoryUri: nonEmpty(),
  /** CodeBuild project whose builds this app deploys. */
  codeBuildProject: nonEmpty(),
  network: z.object({
    subnets: z.array(nonEmpty()).check(z.minLength(1)),
    securityGroups: z.array(nonEmpty()).check(z.minLength(1)),
    assignPublicIp: z.enum(['ENABLED', 'DISABLED']),
  }),
  capacityProviderStrategy: z
    .array(z.object({ capacityProvider: nonEmpty(), weight: z.int().check(z.gte(0)), base: z._default(z.int().check(z.gte(0)), 0) }))
    .check(z.minLength(1)),
  /** The release phase: a one-off task of `process` with `command`. Absent: no release phase. */
  release: z.optional(z.object({ process: z.string().check(z.regex(PROCESS_NAME)), command: z.array(z.string()).check(z.minLength(1)) })),
  deployTimeoutSeconds: z._default(z.int().check(z.gte(60), z.lte(86400)), DEPLOY_TIMEOUT_DEFAULT_MINUTES * 60),
  /** Scheduled tasks from the app config (validated by sync-schedules, see ./schedules.ts). */
  schedules: z._default(z.array(z.unknown()), []),
  /** Non-production apps: when every service scales to zero and back. Absent: always running. */
  scaleToZero: z.optional(scaleScheduleSchema),
  processes: z
    .record(z.string().check(z.regex(PROCESS_NAME)), processSettingsSchema)
    .check(z.refine((p) => Object.keys(p).length > 0, { message: 'an app needs at least one process type' })),
}).check(
  z.refine((s) => !s.release || s.processes[s.release.process] !== undefined, {
    message: 'release.process must be one of the app\'s processes',
    path: ['release', 'process'],
  }),
);

export type AutoscalingSettings = z.infer<typeof autoscalingSchema>;
export type ProcessSettings = z.infer<typeof processSettingsSchema>;
export type AppSettings = z.infer<typeof appSettingsSchema>;
/** What the app stack writes: defaults may be left out. */
export type AppSettingsInput = z.input<typeof appSettingsSchema>;

/** An app's settings parameter value read: the settings, or what is wrong with it. */
export type SettingsReading =
  | { readonly ok: true; readonly settings: AppSettings }
  | { readonly ok: false; readonly problem: 'not-json' }
  | { readonly ok: false; readonly problem: 'invalid'; readonly at: string; readonly message: string }
  | { readonly ok: false; readonly problem: 'other-app'; readonly app: string };

/**
 * Reads the value of an app's settings parameter: JSON, valid against {@link appSettingsSchema} (defaults
 * filled in), and, with `app`, that app's settings. The checks the handlers and the CLI make alike; each
 * words the refusal in its own error.
 */
export function readAppSettings(value: string | undefined, app?: string): SettingsReading {
  let raw: unknown;
  try {
    raw = JSON.parse(value ?? '');
  } catch {
    return { ok: false, problem: 'not-json' };
  }
  const parsed = appSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: 'invalid', at: issuePath(issue.path) || '(root)', message: issue.message };
  }
  if (app !== undefined && parsed.data.app !== app) return { ok: false, problem: 'other-app', app: parsed.data.app };
  return { ok: true, settings: parsed.data };
}
