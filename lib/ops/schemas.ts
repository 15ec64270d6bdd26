import { z } from 'zod';

/**
 * The `--json` output of the pipeline commands (`slipway pipelines|status|redrive|deploy|rollback|watch`).
 * Scripts can rely on these shapes; the tests parse every command's output with them. Times are ISO 8601
 * strings, durations seconds.
 */

const iso = z.string().datetime({ offset: true });
const pipeline = z.enum(['build', 'release', 'deploy']);
const executionStatus = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

/** One execution of a pipeline, as `pipelines` and `watch` show it. */
export const executionRefSchema = z.object({
  pipeline,
  arn: z.string(),
  name: z.string(),
  status: executionStatus,
  startedAt: iso,
  stoppedAt: iso.nullable(),
  durationSeconds: z.number().nonnegative().nullable(),
  /** The step that failed (innermost), for a failed execution. */
  failedStep: z.string().nullable(),
  error: z.string().nullable(),
  cause: z.string().nullable(),
  redriveCount: z.number().int().nonnegative(),
  /**
   * A deploy that SUCCEEDED without deploying: a newer build, a rollback or a config redeploy overtook it
   * (its output's `outcome` "superseded"). `by` is the build that holds the app, when known. Null otherwise.
   */
  superseded: z.object({ by: z.string().nullable(), reason: z.string().nullable() }).nullable(),
});
export type ExecutionRef = z.infer<typeof executionRefSchema>;

/** A build's three pipeline executions side by side (null: not started). */
export const executionsSchema = z.object({ build: executionRefSchema.nullable(), release: executionRefSchema.nullable(), deploy: executionRefSchema.nullable() });
export type Executions = z.infer<typeof executionsSchema>;

/** `slipway pipelines <app> --json` */
export const pipelinesOutputSchema = z.object({
  app: z.string(),
  region: z.string(),
  account: z.string(),
  currentRelease: z.string().nullable(),
  builds: z.array(
    z.object({
      build: z.string(),
      codeBuildStatus: z.string().nullable(),
      commit: z.string().nullable(),
      image: z.string().nullable(),
      eventTime: z.string().nullable(),
      released: z.boolean(),
      current: z.boolean(),
      pipelineError: z.string().nullable(),
      executions: executionsSchema,
    }),
  ),
});
export type PipelinesOutput = z.infer<typeof pipelinesOutputSchema>;

/** Where a state ran: Map iterations (or Parallel branches), outermost first; `item` is what the iteration works on (e.g. "web"), if known. */
const iterationPath = z.array(z.object({ map: z.string(), index: z.number().int().nonnegative(), item: z.string().nullable() }));

/**
 * A state a redrive would re-run, by AWS's rule: it has a `...StateEntered` event and no
 * `...StateExited` event (inside an inline Map: the states of the iterations that failed or were
 * aborted). Map states are listed with the iterations' states.
 */
const rerunState = z.object({ state: z.string(), type: z.string(), iteration: iterationPath });

/**
 * Whether a redrive can help (lib/ops/redrive-advice.ts `assessRedrive`):
 * * `possible` — Step Functions accepts it and it re-runs the failed work (`rerun`);
 * * `would-not-help` — the states it would re-run include a `Fail` state (an outcome such as
 *   `InvalidEvent`, or `DeploymentSuperseded` of a deploy started with an earlier definition), so it would fail again at once; `reason` says why and
 *   `instead` what does help (e.g. `slipway deploy <app> --build N`);
 * * `not-redrivable` — Step Functions refuses it (`status` NOT_REDRIVABLE with its reason, closed more than 14
 *   days ago, history at the 25,000-event limit); `instead` says what to do;
 * * `not-failed` — the execution is running or succeeded (a superseded deploy too: it deployed nothing
 *   and there is nothing to redrive; `reason` names the build that superseded it).
 */
export const redriveAssessmentSchema = z.object({
  verdict: z.enum(['possible', 'would-not-help', 'not-redrivable', 'not-failed']),
  /** true only for `possible`. */
  possible: z.boolean(),
  /** DescribeExecution's `redriveStatus` (REDRIVABLE, NOT_REDRIVABLE, REDRIVABLE_BY_MAP_RUN), as AWS gives it, if it gave one. */
  status: z.string().nullable(),
  /** DescribeExecution's `redriveStatusReason` as AWS gives it (e.g. "Execution redrivable period exceeded."), if it gave one. */
  statusReason: z.string().nullable(),
  reason: z.string().nullable(),
  instead: z.string().nullable(),
  rerun: z.array(rerunState),
});

/** `slipway status ... --json` */
export const statusOutputSchema = z.object({
  execution: z.object({
    arn: z.string(),
    name: z.string(),
    pipeline: pipeline.nullable(),
    status: executionStatus,
    startedAt: iso,
    stoppedAt: iso.nullable(),
    durationSeconds: z.number().nonnegative().nullable(),
    redriveCount: z.number().int().nonnegative(),
    consoleLink: z.string().url(),
    /** A deploy that SUCCEEDED without deploying, superseded by build `by` (see the execution refs); null otherwise. */
    superseded: z.object({ by: z.string().nullable(), reason: z.string().nullable() }).nullable(),
  }),
  steps: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      iteration: iterationPath,
      status: z.enum(['running', 'succeeded', 'caught', 'failed', 'aborted']),
      enteredAt: iso,
      /** When it exited, failed or was aborted (null while it runs). */
      exitedAt: iso.nullable(),
      durationSeconds: z.number().nonnegative().nullable(),
      attempts: z.number().int().nonnegative(),
      retries: z.array(z.object({ at: iso, error: z.string().nullable(), cause: z.string().nullable() })),
      /** The error of the last attempt, if it failed (a Fail state: the execution's error). */
      error: z.string().nullable(),
      /** That error's cause in one line (an ECS task's JSON becomes exit code, container, stop code and reason). */
      cause: z.string().nullable(),
      /** 0 for the first run, n for the states run after the n-th redrive. */
      redrive: z.number().int().nonnegative(),
      /** The history has the state's `...StateExited` event. */
      exited: z.boolean(),
      /** A redrive would run it again. */
      rerun: z.boolean(),
    }),
  ),
  failure: z
    .object({
      state: z.string(),
      iteration: iterationPath,
      /** When the step failed. */
      at: iso.nullable(),
      error: z.string().nullable(),
      /** The cause as AWS recorded it. */
      cause: z.string().nullable(),
      /** The cause in one line: an ECS task's JSON becomes exit code, container, stop code, reason and log link. */
      summary: z.string().nullable(),
      executionError: z.string().nullable(),
      executionCause: z.string().nullable(),
      logLink: z.string().url().nullable(),
    })
    .nullable(),
  redrive: redriveAssessmentSchema,
  eventCount: z.number().int().nonnegative(),
});
export type StatusOutput = z.infer<typeof statusOutputSchema>;

/** How a followed execution ended (`--watch`). */
export const watchedSchema = z.object({
  status: executionStatus,
  durationSeconds: z.number().nonnegative().nullable(),
  error: z.string().nullable(),
  cause: z.string().nullable(),
  timedOut: z.boolean(),
});

/** `slipway redrive ... --json` */
export const redriveOutputSchema = z.object({
  pipeline: pipeline.nullable(),
  arn: z.string(),
  name: z.string(),
  failedStep: z.string().nullable(),
  /** What Step Functions re-runs: the states with an Entered and no Exited event. */
  rerun: z.array(rerunState),
  /** The same for people: the innermost states with the iteration they run in (`Update the service and wait for its deployment (Deploy each process type #0 web)`). */
  rerunLabels: z.array(z.string()),
  redriveDate: iso,
  redriveCount: z.number().int().positive(),
  watched: watchedSchema.nullable(),
});
export type RedriveOutput = z.infer<typeof redriveOutputSchema>;

/** `slipway deploy|rollback ... --json` */
export const deployOutputSchema = z.object({
  app: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  build: z.string(),
  /** The build the app ran before (its current release), if any. */
  from: z.string().nullable(),
  force: z.boolean(),
  arn: z.string(),
  name: z.string(),
  startedAt: iso,
  processes: z.array(z.object({ name: z.string(), taskDefinitionArn: z.string() })),
  /** `rollback --to v<n>`: the release deployed again (its build and revisions). */
  release: z.optional(z.number()),
  watched: watchedSchema.nullable(),
});
export type DeployOutput = z.infer<typeof deployOutputSchema>;

/** `slipway watch <app> [build] --json` */
export const watchOutputSchema = z.object({
  app: z.string(),
  build: z.string(),
  outcome: z.enum(['deployed', 'failed', 'build-failed', 'not-deployed', 'timed-out']),
  message: z.string(),
  executions: executionsSchema,
});
export type WatchOutput = z.infer<typeof watchOutputSchema>;

/** What every command prints with `--json` when it fails (and the one line on stderr). */
export const errorOutputSchema = z.object({ error: z.string(), message: z.string() });

const taskDefinitionSummarySchema = z.object({
  arn: z.string(),
  images: z.record(z.string(), z.string()),
  commands: z.record(z.string(), z.string().nullable()),
  cpu: z.string().nullable(),
  memory: z.string().nullable(),
  environment: z.record(z.string(), z.string()),
  secrets: z.array(z.string()),
});

/** `slipway diff <app> --build N --json`: per process type, the task definition now and after, and the changes. */
export const diffOutputSchema = z.object({
  app: z.string(),
  build: z.string(),
  current: z.string().nullable(),
  processes: z.array(
    z.object({
      process: z.string(),
      from: taskDefinitionSummarySchema.nullable(),
      to: taskDefinitionSummarySchema.nullable(),
      changes: z.array(z.object({ field: z.string(), from: z.string().nullable(), to: z.string().nullable() })),
    }),
  ),
});
export type DiffOutputDocument = z.infer<typeof diffOutputSchema>;

/**
 * One log event of `slipway logs <app> --json` (JSON Lines: one event per line, in time order, printed
 * as they are read, so `--follow` streams) and of `slipway run --json` (its `logs`). The task's streams
 * are `<process>/<container>/<task id>`; `process` and `task` are null for a stream named otherwise.
 */
export const logEventSchema = z.object({
  timestamp: iso,
  process: z.string().nullable(),
  task: z.string().nullable(),
  stream: z.string(),
  /** The line as the container wrote it (without its trailing newline); escape it before printing. */
  message: z.string(),
  /** CloudWatch Logs' id of the event (FilterLogEvents; absent for `run`'s GetLogEvents). */
  eventId: z.string().optional(),
});
export type LogEvent = z.infer<typeof logEventSchema>;

/** What `slipway logs` read (not printed with --json: the events are the output). */
export const logsOutputSchema = z.object({
  app: z.string(),
  logGroup: z.string(),
  process: z.string().nullable(),
  build: z.string().nullable(),
  /** The start of the time read: --since, or the start of build N's release. */
  from: iso,
  /** The end: when a later release replaced build N; null: now (and on, with --follow). */
  to: iso.nullable(),
  events: z.number().int().nonnegative(),
  followed: z.boolean(),
  /** `end`: everything was read (or build N's time ended); `timeout`: --follow stopped at --timeout. */
  stopped: z.enum(['end', 'timeout']),
});
export type LogsOutput = z.infer<typeof logsOutputSchema>;

/**
 * `slipway run <app> --json -- <command...>`: the one-off task, its log lines and how it ended. The
 * command exits with `exitCode` (`exited`), 1 when the task did not start (`failed-to-start`, `reason`
 * says why) or is still running at --timeout (`timed-out`: the task goes on), 0 with `--detach` once
 * ECS accepted the task (`started`: not followed). `interrupted`: Ctrl-C, and the task was not seen
 * STOPPED (`reason` says what became of it); after Ctrl-C the command prints the Interrupted error
 * document instead and exits 130.
 */
export const runOutputSchema = z.object({
  app: z.string(),
  /** The current release's build, whose task definition the task runs. */
  build: z.string(),
  process: z.string(),
  command: z.array(z.string()),
  taskDefinitionArn: z.string(),
  taskArn: z.string().nullable(),
  outcome: z.enum(['exited', 'failed-to-start', 'timed-out', 'started', 'interrupted']),
  exitCode: z.number().int().nullable(),
  stopCode: z.string().nullable(),
  reason: z.string().nullable(),
  logGroup: z.string(),
  logStream: z.string().nullable(),
  logLink: z.string().url().nullable(),
  logs: z.array(logEventSchema),
});
export type RunOutput = z.infer<typeof runOutputSchema>;

/** One app of `slipway apps`, from its settings parameter. */
export const appEntrySchema = z.object({
  app: z.string(),
  /** Its process types, sorted. */
  processes: z.array(z.string()),
  /** The shared control plane that runs its pipelines (its cluster's name). */
  controlPlane: z.string(),
  /** The ECS cluster its services run in (name). */
  cluster: z.string(),
  /** Its own DynamoDB table (builds, releases, claims). */
  table: z.string(),
  parameter: z.string(),
});

/**
 * `slipway apps --json`: the apps deployed in the account and region under a prefix (one settings
 * parameter each), sorted by name; `invalid` lists settings parameters that are not valid settings.
 */
export const appsOutputSchema = z.object({
  prefix: z.string(),
  region: z.string(),
  apps: z.array(appEntrySchema),
  invalid: z.array(z.object({ parameter: z.string(), error: z.string() })),
});
export type AppsOutput = z.infer<typeof appsOutputSchema>;
