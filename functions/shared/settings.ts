import { z } from 'zod';

/**
 * The app's settings record: what the pipelines need to register task definitions, run the release
 * task and create or update services. The app stack writes it (CloudFormation owns these values); the
 * Lambdas read it from the app's table (`pk = "APP"`, `sk = "SETTINGS"`, attribute `settings` holding
 * this object as a JSON string). See DESIGN.md, "Who owns what".
 */

/** Names that ECS, CloudWatch and Step Functions accept for a process type (also a container name). */
export const PROCESS_NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** App names end up in execution names (`<app>-<build>-deploy`, 80 characters at most) and ARNs. */
export const APP_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const keyValue = z.object({ name: z.string().min(1), value: z.string() });
const secret = z.object({ name: z.string().min(1), valueFrom: z.string().min(1) });

export const autoscalingSchema = z.object({
  min: z.number().int().min(0),
  max: z.number().int().min(1),
  cpuTarget: z.number().min(1).max(100).default(60),
});

export const processSettingsSchema = z.object({
  /** Task-definition family, e.g. `slipway-example-web`. */
  family: z.string().min(1).max(255),
  cpu: z.string().min(1),
  memory: z.string().min(1),
  /** The container's command; absent means the image's CMD. */
  command: z.array(z.string()).optional(),
  /** The container port the load balancer sends traffic to (web-like processes only). */
  port: z.number().int().min(1).max(65535).optional(),
  executionRoleArn: z.string().min(1),
  taskRoleArn: z.string().min(1),
  logGroup: z.string().min(1),
  environment: z.array(keyValue).default([]),
  secrets: z.array(secret).default([]),
  desiredCount: z.number().int().min(0),
  targetGroupArn: z.string().min(1).optional(),
  healthCheckGracePeriodSeconds: z.number().int().min(0).optional(),
  autoscaling: autoscalingSchema.optional(),
});

export const appSettingsSchema = z.object({
  app: z.string().regex(APP_NAME),
  region: z.string().min(1),
  /** ECS cluster name or ARN. */
  cluster: z.string().min(1),
  imageRepositoryUri: z.string().min(1),
  /** CodeBuild project whose builds this app deploys. */
  codeBuildProject: z.string().min(1),
  network: z.object({
    subnets: z.array(z.string().min(1)).min(1),
    securityGroups: z.array(z.string().min(1)).min(1),
    assignPublicIp: z.enum(['ENABLED', 'DISABLED']),
  }),
  capacityProviderStrategy: z
    .array(z.object({ capacityProvider: z.string().min(1), weight: z.number().int().min(0), base: z.number().int().min(0).default(0) }))
    .min(1),
  /** The release phase: a one-off task of `process` with `command`. Absent: no release phase. */
  release: z.object({ process: z.string().regex(PROCESS_NAME), command: z.array(z.string()).min(1) }).optional(),
  deployTimeoutSeconds: z.number().int().min(60).max(86400).default(1800),
  processes: z.record(z.string().regex(PROCESS_NAME), processSettingsSchema).refine((p) => Object.keys(p).length > 0, {
    message: 'an app needs at least one process type',
  }),
});

export type AutoscalingSettings = z.infer<typeof autoscalingSchema>;
export type ProcessSettings = z.infer<typeof processSettingsSchema>;
export type AppSettings = z.infer<typeof appSettingsSchema>;
/** What the app stack writes: defaults may be left out. */
export type AppSettingsInput = z.input<typeof appSettingsSchema>;

/** Key of the settings item in the app's table. */
export const SETTINGS_KEY = { pk: 'APP', sk: 'SETTINGS' } as const;
