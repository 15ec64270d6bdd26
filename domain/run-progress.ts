import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * How far a build's run has gone, and the failures it went through, as its record (the `BUILD` item of
 * the app's table) keeps them: one owner for the attribute names and values that the release and deploy
 * ASL files, execution-status, the dashboard and the CLI share. The browser cannot ask Step Functions
 * (it answers no CORS preflight), so the record is the only source of a run's progress it has.
 *
 * Written by:
 * * statemachines/release.asl.json: `stage` = `release-started` with `releaseStartedAt` when the release
 *   begins, `release-succeeded` with `releaseSucceededAt` when its command exited 0 (or it has none);
 * * statemachines/deploy.asl.json: `deploying` with `deployStartedAt` and `deployProcesses` (a JSON list
 *   of the process types) once the app is claimed, `deployedAt:<process>` as each process type's
 *   deployment completes, `deployed` (with `releasedAt`) when the release is recorded;
 * * functions/execution-status: the failure fields (`failedAt`, `failedStep`, …) and, for every failure,
 *   an entry of `failureHistory` that a redrive and its outcome never remove.
 */

/** The stages a run goes through, in order (the value of `stage`). A failure is kept apart (`failedAt`). */
export const RUN_STAGES = ['release-started', 'release-succeeded', 'deploying', 'deployed'] as const;
export type RunStage = (typeof RUN_STAGES)[number];

/** Attribute names of the progress fields of a build's record. */
export const PROGRESS_ATTRIBUTES = {
  stage: 'stage',
  releaseStartedAt: 'releaseStartedAt',
  releaseSucceededAt: 'releaseSucceededAt',
  deployStartedAt: 'deployStartedAt',
  deployProcesses: 'deployProcesses',
  failureHistory: 'failureHistory',
  failureHistoryVersion: 'failureHistoryVersion',
} as const;

/** Prefix of the attribute that holds when a process type's deployment completed: `deployedAt:<process>`. */
export const PROCESS_DEPLOYED_PREFIX = 'deployedAt:';

/** The attribute holding when `process`'s deployment completed in the run's latest deploy. */
export function processDeployedAttribute(process: string): string {
  return `${PROCESS_DEPLOYED_PREFIX}${process}`;
}

/** How many failures of a run its record keeps (the oldest go first); each cause is cut to {@link HISTORY_CAUSE_CHARS}. */
export const FAILURE_HISTORY_MAX = 10;
export const HISTORY_CAUSE_CHARS = 2048;

/** One failure of a run, kept after it was redriven and after the run succeeded. */
export interface FailureAttempt {
  readonly pipeline: string;
  readonly step: string;
  readonly error: string;
  readonly cause: string;
  readonly at: string;
  readonly execution: string;
  /** The execution's redrive count when it failed (0: the first attempt). */
  readonly redriveCount: number;
  readonly awsError?: string;
  readonly logLink?: string;
  /** When the redrive that followed this failure started. */
  readonly redrivenAt?: string;
}

/** A build's progress as its record shows it. */
export interface RunProgress {
  readonly stage?: RunStage;
  readonly releaseStartedAt?: string;
  readonly releaseSucceededAt?: string;
  readonly deployStartedAt?: string;
  /** The process types of the latest deploy, in its order. */
  readonly deployProcesses?: readonly string[];
  /** When each process type's deployment completed in the latest deploy. */
  readonly processesDeployed: readonly { readonly process: string; readonly at: string }[];
  /** Every recorded failure, oldest first. */
  readonly failures: readonly FailureAttempt[];
}

const str = (v: AttributeValue | undefined): string | undefined => (v && 'S' in v && typeof v.S === 'string' ? v.S : undefined);

/** A failure history entry as DynamoDB stores it (a map), for execution-status. */
export function failureAttemptItem(f: FailureAttempt): AttributeValue {
  const m: Record<string, AttributeValue> = {
    pipeline: { S: f.pipeline },
    step: { S: f.step },
    error: { S: f.error },
    cause: { S: f.cause.slice(0, HISTORY_CAUSE_CHARS) },
    at: { S: f.at },
    execution: { S: f.execution },
    redriveCount: { N: String(f.redriveCount) },
  };
  if (f.awsError) m.awsError = { S: f.awsError };
  if (f.logLink) m.logLink = { S: f.logLink };
  if (f.redrivenAt) m.redrivenAt = { S: f.redrivenAt };
  return { M: m };
}

/** The failure history of a record (entries that are not well-formed maps are left out). */
export function readFailureHistory(item: Record<string, AttributeValue> | undefined): FailureAttempt[] {
  const list = item?.[PROGRESS_ATTRIBUTES.failureHistory];
  if (!list || !('L' in list) || !Array.isArray(list.L)) return [];
  const out: FailureAttempt[] = [];
  for (const entry of list.L) {
    const m = entry && 'M' in entry ? entry.M : undefined;
    if (!m) continue;
    const pipeline = str(m.pipeline), step = str(m.step), error = str(m.error), at = str(m.at), execution = str(m.execution);
    const redriveCount = Number(m.redriveCount && 'N' in m.redriveCount ? m.redriveCount.N : NaN);
    if (!pipeline || !step || !error || !at || !execution || !Number.isInteger(redriveCount)) continue;
    out.push({
      pipeline, step, error, at, execution, redriveCount,
      cause: str(m.cause) ?? '',
      ...(str(m.awsError) ? { awsError: str(m.awsError) } : {}),
      ...(str(m.logLink) ? { logLink: str(m.logLink) } : {}),
      ...(str(m.redrivenAt) ? { redrivenAt: str(m.redrivenAt) } : {}),
    });
  }
  return out;
}

/** The progress fields of a build's record. */
export function readRunProgress(item: Record<string, AttributeValue>): RunProgress {
  const stage = str(item[PROGRESS_ATTRIBUTES.stage]);
  let deployProcesses: string[] | undefined;
  try {
    const parsed: unknown = JSON.parse(str(item[PROGRESS_ATTRIBUTES.deployProcesses]) ?? 'null');
    if (Array.isArray(parsed)) deployProcesses = parsed.filter((p): p is string => typeof p === 'string');
  } catch {
    deployProcesses = undefined;
  }
  const deployStartedAt = str(item[PROGRESS_ATTRIBUTES.deployStartedAt]);
  // Only the latest deploy's: a rollback or a redeploy of the same build starts the list again.
  const processesDeployed = Object.keys(item)
    .filter((k) => k.startsWith(PROCESS_DEPLOYED_PREFIX) && str(item[k]) && (!deployStartedAt || (str(item[k]) as string) >= deployStartedAt))
    .map((k) => ({ process: k.slice(PROCESS_DEPLOYED_PREFIX.length), at: str(item[k]) as string }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.process < b.process ? -1 : 1));
  return {
    ...((RUN_STAGES as readonly string[]).includes(stage ?? '') ? { stage: stage as RunStage } : {}),
    releaseStartedAt: str(item[PROGRESS_ATTRIBUTES.releaseStartedAt]),
    releaseSucceededAt: str(item[PROGRESS_ATTRIBUTES.releaseSucceededAt]),
    deployStartedAt,
    ...(deployProcesses ? { deployProcesses } : {}),
    processesDeployed,
    failures: readFailureHistory(item),
  };
}
