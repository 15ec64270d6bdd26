import { readFileSync } from 'node:fs';
import { signInConfigSchema } from './sign-in-config';
import { z } from 'zod';
import { PROCESS_NAME } from '../domain/names';
import { RESOURCE_NAME } from '../domain/settings';
import { APP_NAME, nameRule } from '../domain/names';
import { listenerPriorityCollisions } from './listener-priorities';
import { SCHEDULE_NAME, scheduleExpressionProblem } from '../domain/schedules';
import { taskLimitIssues } from './task-limits';
import { awsLimitIssues, hasOwnKey, prototypeKeyIssues } from './config-aws-limits';
import { escapeForTerminal } from './ops/terminal';
import { formatZodIssues, issuePath } from '../domain/zod-issues';
import { hostnameIssues } from './app-hostname';
import { DEFAULT_SCALE_SCHEDULE, isTimeZone, TIME_OF_DAY, WEEKDAYS } from '../domain/scale-schedule';
import {
  CONFIG_DEBOUNCE_DEFAULT_SECONDS,
  controlPlaneFunctionName,
  CPU_TARGET_DEFAULT_PERCENT,
  DEFAULT_PREFIX,
  DEPLOY_TIMEOUT_DEFAULT_MINUTES,
  DEPLOY_TIMEOUT_MAX_MINUTES,
  PIPELINE_FUNCTIONS,
  scheduleGroupName,
  STATE_MACHINES,
  stateMachineName,
  type PipelineFunctionKey,
} from '../domain';

/**
 * Slipway's typed configuration: the account, its clusters, databases and apps. It is read from the
 * JSON file named by the `slipway:config` context key (cdk.json) and validated before any construct is
 * built, so a bad key fails `cdk synth` with one message that names it.
 */

const NAME = RESOURCE_NAME;
const NAME_MESSAGE = 'lowercase letters, digits and hyphens, starting with a letter, 40 characters at most';
/** An AWS CodeConnections (formerly CodeStar Connections) connection ARN. */
export const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;

/** EventBridge Scheduler schedule group names (the app's group is `<prefix>-<cluster>.<app>`): at most 64 characters. */
export const SCHEDULE_GROUP_MAX = 64;
/** RDS DB cluster identifiers (a database's is `<prefix>-<database>`): at most 63 characters, no `--`, no trailing `-`. */
export const DB_CLUSTER_IDENTIFIER_MAX = 63;

export const processConfigSchema = z
  .object({
    command: z.array(z.string().min(1)).min(1).optional().describe('Container command; absent: the image\'s CMD.'),
    cpu: z
      .literal([256, 512, 1024, 2048, 4096, 8192, 16384], { error: (issue) => `Fargate CPU units must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (got ${JSON.stringify(issue.input)})` })
      .default(256)
      .describe('Fargate CPU units (with `memory`, one of Fargate\'s task sizes).'),
    memory: z.number().int().min(512).max(122880).default(512).describe('Memory in MiB (with `cpu`, one of Fargate\'s task sizes).'),
    port: z.number().int().min(1).max(65535).optional().describe('Container port; only the `web` process is attached to the load balancer.'),
    desiredCount: z.number().int().min(0).max(1000).default(1).describe('Tasks of the process type running after a deploy (within `autoscaling` when set; 0 stops it).'),
    autoscaling: z
      .object({
        min: z.number().int().min(0).describe('Fewest tasks.'),
        max: z.number().int().min(1).max(1000).describe('Most tasks.'),
        cpuTarget: z.number().min(10).max(95).default(CPU_TARGET_DEFAULT_PERCENT).describe('Average CPU utilization (percent) target tracking keeps the service at.'),
      })
      .strict()
      .refine((a) => a.min <= a.max, { message: 'autoscaling.min must not exceed autoscaling.max' })
      .optional()
      .describe('Target-tracking autoscaling of the process type\'s service on its average CPU.'),
    healthCheckPath: z.string().startsWith('/').default('/').describe('Health-check path of the target group (web only).'),
  })
  .strict();

/** E-mail addresses subscribed to an alarm topic (each confirms the subscription once). */
const alarmEmails = z.array(z.email('an e-mail address')).default([]);

/** An app's alarms: who is told, and the thresholds (docs/monitoring.md). */
export const appMonitoringSchema = z
  .object({
    emails: alarmEmails.describe('Subscribed to the cluster\'s alerts topic with a filter: they get this app\'s alarms and pipeline failures only.'),
    alarms: z.boolean().optional().describe('Create the app\'s alarms (load balancer, services, schedules). Every alarm costs $0.10 a month, so they are on for production apps and opt-in for the others. Default: `production`.'),
    dashboard: z.boolean().default(false).describe('A dashboard of the app\'s own (the cluster has one for every app; each dashboard beyond AWS\'s free three costs $3 a month).'),
    periodSeconds: z.union([z.literal(60), z.literal(300), z.literal(900), z.literal(3600)]).default(60).describe('Period of the service and load-balancer alarms, in seconds.'),
    evaluationPeriods: z.number().int().min(1).max(60).default(5).describe('Consecutive breaching periods before an alarm fires.'),
    http5xxRatePercent: z.number().gt(0).max(100).default(5).describe('Target 5xx responses as a percentage of requests.'),
    targetResponseTimeSeconds: z.number().gt(0).max(3600).default(2).describe('Average target response time, in seconds.'),
    cpuPercent: z.number().gt(0).max(100).default(85).describe('Average CPU utilization of a process type\'s service, percent.'),
    memoryPercent: z.number().gt(0).max(100).default(85).describe('Average memory utilization of a process type\'s service, percent.'),
    tasksBelowDesiredMinutes: z.number().int().min(1).max(1440).default(15).describe('How long running tasks may stay below the desired count before the alarm fires, in minutes.'),
  })
  .strict();

/** A non-production app's scale-to-zero schedule (see domain/scale-schedule.ts). */
export const scaleScheduleSchema = z
  .object({
    enabled: z.boolean().default(true).describe('`false` keeps a non-production app running around the clock.'),
    timeZone: z.string().refine(isTimeZone, { message: 'an IANA time zone such as "Europe/Paris" or "UTC"' }).default(DEFAULT_SCALE_SCHEDULE.timeZone).describe('IANA time zone of `stopAt`/`startAt`.'),
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...DEFAULT_SCALE_SCHEDULE.days]).describe('Days on which the services stop and start.'),
    stopAt: z.string().regex(TIME_OF_DAY, 'a time of day as HH:MM (24-hour)').default(DEFAULT_SCALE_SCHEDULE.stopAt).describe('Local time the services scale to zero.'),
    startAt: z.string().regex(TIME_OF_DAY, 'a time of day as HH:MM (24-hour)').default(DEFAULT_SCALE_SCHEDULE.startAt).describe('Local time the services scale back to their configured range.'),
  })
  .strict()
  .refine((s) => s.stopAt !== s.startAt, { message: 'stopAt and startAt must differ', path: ['startAt'] });

export const appConfigSchema = z
  .object({
    name: z
      .string()
      .regex(
        APP_NAME,
        `app names are ${nameRule('app')}; execution names such as <app>--<build id>-release must fit Step Functions' 80 characters, and a build without a build number has a 36-character id`,
      )
      .describe(`The app's name: its resources are named <prefix>-<app>--... (${nameRule('app')}).`),
    cluster: z.string().regex(NAME, NAME_MESSAGE).describe('Name of the cluster (from `clusters`) the app runs on.'),
    repository: z
      .object({
        owner: z.string().min(1).describe('The GitHub user or organization that owns the repository.'),
        name: z.string().min(1).describe('The repository\'s name. It must hold a Dockerfile at its root (CodeBuild runs docker build .).'),
        branch: z.string().min(1).default('main').describe('The branch whose pushes are built and deployed.'),
        connectionArn: z
          .string()
          .regex(CONNECTION_ARN, 'an AWS CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)')
          .optional()
          .describe('The AWS CodeConnections (GitHub App) connection CodeBuild reads the repository through. Absent: the account\'s default source credential for GitHub (aws codebuild import-source-credentials); see docs/getting-started.md.'),
      })
      .strict()
      .describe('The GitHub repository the app\'s CodeBuild project builds on each push to `branch`.'),
    listenerPriority: z
      .number()
      .int()
      .min(1)
      .max(50_000)
      .optional()
      .describe('Priority (1-50000) of the web process\'s rule on the cluster\'s listeners. Two apps of a cluster may not share one (the config is refused, naming both, with a free priority to set). Default: derived from the app\'s name, so adding or removing apps never renumbers the others.'),
    hostname: z.string().min(1).optional().describe('The host name the web process answers. Default: <app>.<cluster domain>, or any host starting <app>. in a cluster without a domain. Outside the cluster\'s domain it needs `certificate` or `httpOnly`.'),
    httpOnly: z.boolean().optional().describe('Serve the web process over plain HTTP (port 80), with no certificate. Needed for an app of a cluster without a domain, or a hostname outside it without `certificate`. Default: false.'),
    certificate: z
      .object({
        hostedZoneId: z
          .string()
          .regex(/^Z[A-Z0-9]{1,31}$/, 'a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ')
          .optional()
          .describe('The Route 53 hosted zone of `hostname`: ACM\'s validation record and an alias record to the load balancer are created in it. Absent: you add the validation CNAME ACM shows, and point the hostname at the load balancer yourself.'),
      })
      .strict()
      .optional()
      .describe('An ACM certificate of the app\'s own for `hostname` (outside the cluster\'s domain), served on the cluster\'s HTTPS listener (at most 25 per cluster).'),
    releaseCommand: z.array(z.string().min(1)).min(1).optional().describe('The release phase command (e.g. migrations); absent: no release phase.'),
    releaseProcess: z.string().regex(PROCESS_NAME, `process names are ${nameRule('process')}`).default('web').describe('The process type whose task definition runs the release command.'),
    processes: z
      .record(z.string(), processConfigSchema)
      .refine((p) => Object.keys(p).length > 0, { message: 'an app needs at least one process type' })
      .describe('The app\'s process types, by name (like a Procfile): each an ECS service running the image with its command. `web` is the one the load balancer routes to.'),
    deployTimeoutMinutes: z.number().int().min(1).max(DEPLOY_TIMEOUT_MAX_MINUTES).default(DEPLOY_TIMEOUT_DEFAULT_MINUTES).describe('How long a deploy may take before it fails with DeploymentTimedOut.'),
    logRetentionDays: z.number().int().min(1).default(30).describe('Days to keep the app\'s logs.'),
    database: z.string().regex(NAME, NAME_MESSAGE).optional().describe('Name of a database (from `databases`) in which the app gets its own database and role.'),
    schedules: z
      .array(
        z
          .object({
            name: z.string().regex(SCHEDULE_NAME, 'schedule names are letters, digits, ".", "_", "-", 64 characters at most').optional().describe('The schedule\'s name. Default: <process>-<hash of the command>.'),
            schedule: z.string().min(1).describe('An EventBridge Scheduler expression: cron(...), rate(...) or at(...).'),
            command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe('The command: a string runs through sh -c, an array as is.'),
            process: z.string().regex(PROCESS_NAME, `process names are ${nameRule('process')}`).default('web').describe('The process type whose task definition (image, roles, secrets) runs the command.'),
          })
          .strict(),
      )
      .default([]).describe('Scheduled tasks (Heroku Scheduler jobs), synced to EventBridge Scheduler; see docs/config-and-schedules.md.'),
    configDebounceSeconds: z.number().int().min(0).max(3600).default(CONFIG_DEBOUNCE_DEFAULT_SECONDS).describe('Seconds a config change waits for more changes before the app is redeployed (one redeploy per burst).'),
    databaseRemovalPolicy: z.enum(['retain', 'destroy']).optional().describe('What deleting the app stack does to the app\'s database and role: "retain" keeps them (data is never lost by accident), "destroy" drops them (connections terminated). Only with `database`.'),
    production: z.boolean().default(true).describe('A production environment. Non-production apps scale to zero on `scaleToZero`\'s schedule.'),
    scaleToZero: scaleScheduleSchema.optional().describe('Non-production only: when the services scale to zero and back (`{"enabled": false}` keeps them running). Default: off 18:00-08:00 UTC on weekdays and all weekend, when `production` is false.'),
    monitoring: appMonitoringSchema.default(appMonitoringSchema.parse({})).describe('Alarm thresholds and the e-mail addresses told about alarms and pipeline failures.'),
  })
  .strict()
  .superRefine((app, ctx) => {
    // Checked here rather than as the record's key schema, whose refusal would say only "Invalid key in record".
    for (const process of Object.keys(app.processes)) {
      if (!PROCESS_NAME.test(process)) ctx.addIssue({ code: 'custom', path: ['processes', process], message: `process names are ${nameRule('process')}` });
    }
    if (app.databaseRemovalPolicy && !app.database) {
      ctx.addIssue({ code: 'custom', path: ['databaseRemovalPolicy'], message: 'only applies with "database" (the app has no database)' });
    }
    app.schedules.forEach((s, i) => {
      const problem = scheduleExpressionProblem(s.schedule);
      if (problem) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'schedule'], message: problem });
      if (!hasOwnKey(app.processes, s.process)) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'process'], message: `process "${s.process}" is not one of the app's processes (${Object.keys(app.processes).join(', ')})` });
    });
    if (app.production && app.scaleToZero?.enabled) {
      ctx.addIssue({ code: 'custom', path: ['scaleToZero'], message: 'only non-production apps scale to zero: set "production": false, or remove scaleToZero' });
    }
    // What ECS refuses at RegisterTaskDefinition or RunTask (Fargate task sizes, override lengths): lib/task-limits.ts.
    for (const issue of taskLimitIssues(app)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (app.releaseCommand && !hasOwnKey(app.processes, app.releaseProcess)) {
      ctx.addIssue({ code: 'custom', path: ['releaseProcess'], message: `release process "${app.releaseProcess}" is not one of the app's processes (${Object.keys(app.processes).join(', ')})` });
    }
  });

export const clusterConfigSchema = z
  .object({
    name: z.string().regex(NAME, NAME_MESSAGE).describe('The cluster\'s name: its stack is Slipway-Cluster-<name>, its control plane <prefix>-<name>-....'),
    domain: z
      .object({
        name: z.string().min(3).describe('The domain, e.g. apps.example.com: apps get <app>.<domain>.'),
        hostedZoneId: z.string().min(1).describe('The Route 53 hosted zone that holds the domain (the certificate\'s validation and the *.<domain> record go there).'),
      })
      .strict()
      .optional().describe('Domain served by the cluster\'s load balancer (wildcard record and certificate).'),
    natGateways: z.number().int().min(0).max(3).default(0).describe('Put a NAT gateway in front of private subnets.'),
    ec2Capacity: z
      .object({
        instanceType: z.string().min(1).describe('The EC2 instance type, e.g. m7g.large.'),
        minCapacity: z.number().int().min(0).default(0).describe('Fewest instances.'),
        maxCapacity: z.number().int().min(1).describe('Most instances.'),
      })
      .strict()
      .optional()
      .describe('An EC2 capacity provider (an auto-scaling group of ECS-optimized instances) beside Fargate.'),
    defaultCapacityProvider: z.enum(['FARGATE', 'FARGATE_SPOT', 'EC2']).optional().describe('Capacity provider of the apps\' services and tasks. "EC2" needs `ec2Capacity` and `natGateways` >= 1 (tasks on EC2 get no public IP). Absent: "FARGATE".'),
  })
  .strict();

export const databaseConfigSchema = z
  .object({
    name: z.string().regex(NAME, NAME_MESSAGE).describe('The database\'s name: its stack is Slipway-Database-<name>, its Aurora cluster <prefix>-<name>.'),
    cluster: z.string().regex(NAME, NAME_MESSAGE).describe('The cluster (from `clusters`) whose network the database runs in.'),
    instances: z.union([z.literal(1), z.literal(2)]).default(1).describe('One writer, or a writer and a reader in another AZ.'),
    driver: z.enum(['pg', 'data-api']).default('pg').describe('How the database manager connects.'),
    instanceType: z.string().default('t4g.medium').describe('The Aurora instance class, without its db. prefix.'),
    deletionProtection: z.boolean().default(true).describe('RDS refuses to delete the cluster while true.'),
    monitoring: z
      .object({
        emails: alarmEmails.describe('Subscribed to the database\'s alarm topic.'),
        periodSeconds: z.union([z.literal(60), z.literal(300), z.literal(900), z.literal(3600)]).default(300).describe('Period of the alarms, in seconds.'),
        evaluationPeriods: z.number().int().min(1).max(60).default(3).describe('Consecutive breaching periods before an alarm fires.'),
        cpuPercent: z.number().gt(0).max(100).default(80).describe('Average CPU utilization of an instance, percent.'),
        freeableMemoryMiB: z.number().int().min(1).default(256).describe('Alarm when an instance\'s freeable memory falls below this, in MiB.'),
        connections: z.number().int().min(1).default(200).describe('Alarm when an instance\'s connections exceed this.'),
        freeLocalStorageGiB: z.number().gt(0).default(2).describe('Alarm when an instance\'s free local storage (temporary tables, logs) falls below this, in GiB.'),
      })
      .strict()
      .default({ emails: [], periodSeconds: 300, evaluationPeriods: 3, cpuPercent: 80, freeableMemoryMiB: 256, connections: 200, freeLocalStorageGiB: 2 }).describe('The database\'s alarms: who is told, and the thresholds (docs/monitoring.md).'),
  })
  .strict();

export const deploymentConfigSchema = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema editors check the file with: "./slipway.schema.json" beside config/example.json (not read by Slipway).'),
    prefix: z.string().regex(NAME, NAME_MESSAGE).default(DEFAULT_PREFIX).describe('Prefix of every resource name Slipway creates.'),
    account: z
      .object({
        githubOidc: z
          .object({
            repositories: z.array(z.object({ repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/).describe('owner/repo on GitHub.'), branches: z.array(z.string().min(1)).min(1).describe('Branches whose workflows may assume the role.') }).strict()).min(1).describe('`owner/repo` → branches allowed to assume the deploy role.'),
            providerArn: z.string().regex(/^arn:[^:]+:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, 'an IAM OIDC provider ARN for token.actions.githubusercontent.com').optional().describe('ARN of an existing `token.actions.githubusercontent.com` provider (an account holds one per URL, so a second region\'s account stack reuses the first one\'s). Absent: the stack creates it.'),
          })
          .strict()
          .optional()
          .describe('A role GitHub Actions assumes with its OIDC token to run cdk deploy (no long-lived keys in CI): only for pushes to these repositories and branches, and it may only assume the CDK bootstrap roles. The Slipway-Account stack outputs its ARN (DeployRoleArn).'),
        signIn: signInConfigSchema.optional(),
      })
      .strict()
      .default({})
      .describe('Account-wide settings.'),
    clusters: z.array(clusterConfigSchema).min(1).describe('The clusters: each a VPC, an ECS cluster, a load balancer and the control plane its apps share.'),
    databases: z.array(databaseConfigSchema).default([]).describe('Aurora PostgreSQL clusters apps get their own database and role in.'),
    apps: z.array(appConfigSchema).default([]).describe('The apps: each built from its repository and run on its cluster.'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const unique = (items: { name: string }[], key: string) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: [key, i, 'name'], message: `duplicate name "${item.name}"` });
        seen.add(item.name);
      });
    };
    unique(cfg.clusters, 'clusters');
    unique(cfg.databases, 'databases');
    unique(cfg.apps, 'apps');
    // Values AWS validates (names, lengths, hostnames, retention, ...): lib/config-aws-limits.ts.
    for (const issue of awsLimitIssues(cfg)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    const clusters = new Set(cfg.clusters.map((c) => c.name));
    cfg.clusters.forEach((cluster, i) => {
      // The cluster's control plane: functions <prefix>-<cluster>-<handler> (Lambda: 64 characters) and
      // state machines <prefix>-<cluster>-<pipeline> (Step Functions: 80).
      const fn = (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((f) => controlPlaneFunctionName(cfg.prefix, cluster.name, f)).sort((a, b) => b.length - a.length)[0];
      const sm = STATE_MACHINES.map((p) => stateMachineName(cfg.prefix, cluster.name, p)).sort((a, b) => b.length - a.length)[0];
      if (fn.length > 64) {
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `the cluster's control-plane function "${fn}" (<prefix>-<cluster>-<handler>) would have ${fn.length} characters, Lambda allows 64: shorten the prefix or the cluster's name` });
      } else if (sm.length > 80) {
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `the cluster's state machine "${sm}" would have ${sm.length} characters, Step Functions allows 80: shorten the prefix or the cluster's name` });
      }
    });
    cfg.apps.forEach((app, i) => {
      // The cluster's control plane is named after the cluster: its state machines, dashboard and
      // alerts are <prefix>-<cluster>-..., where an app's resources are <prefix>-<app>-... .
      if (clusters.has(app.name)) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'name'], message: `"${app.name}" is also a cluster's name: the cluster's control plane uses <prefix>-${app.name}-... names, choose another app name` });
      }
    });
    // HTTPS is never silently missing: a hostname no certificate covers needs "certificate" or "httpOnly" (lib/app-hostname.ts).
    for (const issue of hostnameIssues(cfg)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    for (const c of listenerPriorityCollisions(cfg.apps)) ctx.addIssue({ code: 'custom', path: ['apps', c.index, 'listenerPriority'], message: c.message });
    const databases = new Set(cfg.databases.map((d) => d.name));
    cfg.apps.forEach((app, i) => {
      // Names AWS would refuse at deploy time: refused here, with the limit named.
      const group = scheduleGroupName(cfg.prefix, app.cluster, app.name);
      if (group.length > SCHEDULE_GROUP_MAX) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'name'],
          message: `the app's EventBridge Scheduler schedule group "${group}" (<prefix>-<cluster>.<app>) is ${group.length} characters, and Scheduler allows at most ${SCHEDULE_GROUP_MAX}: shorten the app name, the cluster's name or the prefix (the three together at most ${SCHEDULE_GROUP_MAX - 2} characters)`,
        });
      }
      if (!clusters.has(app.cluster)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'cluster'], message: `unknown cluster "${app.cluster}" (known: ${[...clusters].join(', ')})` });
      if (app.database && !databases.has(app.database)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'database'], message: `unknown database "${app.database}"` });
    });
    cfg.databases.forEach((db, i) => {
      const identifier = `${cfg.prefix}-${db.name}`;
      if (identifier.length > DB_CLUSTER_IDENTIFIER_MAX || identifier.includes('--') || identifier.endsWith('-')) {
        ctx.addIssue({
          code: 'custom',
          path: ['databases', i, 'name'],
          message: `the database's RDS DB cluster identifier "${identifier}" (<prefix>-<name>) must have at most ${DB_CLUSTER_IDENTIFIER_MAX} characters, no two consecutive hyphens and no trailing hyphen (it has ${identifier.length})`,
        });
      }
      if (!clusters.has(db.cluster)) ctx.addIssue({ code: 'custom', path: ['databases', i, 'cluster'], message: `unknown cluster "${db.cluster}"` });
    });
  });

export type ProcessConfig = z.infer<typeof processConfigSchema>;
export type AppConfig = z.infer<typeof appConfigSchema>;
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
export type DatabaseConfig = z.infer<typeof databaseConfigSchema>;
export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;
export type AppMonitoringConfig = z.infer<typeof appMonitoringSchema>;
export type ScaleScheduleConfig = z.infer<typeof scaleScheduleSchema>;

/**
 * The scale-to-zero schedule that applies to an app: none in production or when disabled, the
 * configured one, or the default (18:00-08:00 UTC, weekdays) for a non-production app without one.
 */
export function scaleScheduleOf(app: AppConfig): ScaleScheduleConfig | undefined {
  const schedule = app.scaleToZero ?? scaleScheduleSchema.parse({});
  return app.production || !schedule.enabled ? undefined : schedule;
}

/** Whether the app gets its alarms: `monitoring.alarms` when set, else only production apps. */
export function alarmsEnabled(app: AppConfig): boolean {
  return app.monitoring.alarms ?? app.production;
}

/** The CDK context key (cdk.json, `-c`) that names the deployment's config file. */
export const CONFIG_CONTEXT_KEY = 'slipway:config';

/** A config that failed validation; the message names every bad key. */
export class DeploymentConfigError extends Error {
  public override readonly name = 'DeploymentConfigError';
}

/**
 * Validates a parsed config object.
 * @throws DeploymentConfigError naming each bad key, e.g. `invalid config: apps[0].processes.web.cpu: ...`
 */
export function parseDeploymentConfig(raw: unknown, source = 'config'): DeploymentConfig {
  // Before the schema copies objects (where a "__proto__" key would vanish).
  const protoIssues = prototypeKeyIssues(raw);
  if (protoIssues.length > 0) throw new DeploymentConfigError(escapeForTerminal(`invalid ${source}: ${protoIssues.map((i) => `${issuePath(i.path)}: ${i.message}`).join('; ')}`));
  const result = deploymentConfigSchema.safeParse(raw);
  if (!result.success) {
    // One line, escaped: a config's strings (ESC sequences, newlines) never reach the terminal raw.
    throw new DeploymentConfigError(escapeForTerminal(`invalid ${source}: ${formatZodIssues(result.error.issues)}`));
  }
  return result.data;
}

/** Reads and validates a config file. @throws DeploymentConfigError when missing, not JSON, or invalid. */
export function loadDeploymentConfig(file: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DeploymentConfigError(`config file ${file} cannot be read (set the "${CONFIG_CONTEXT_KEY}" context key to a JSON config file)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DeploymentConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseDeploymentConfig(raw, `config ${file}`);
}
