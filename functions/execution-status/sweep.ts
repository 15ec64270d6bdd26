import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, type ExecutionListItem, type ListExecutionsCommandInput } from '@aws-sdk/client-sfn';
import type { StateMachineName } from '../../domain/pipelines';
import { dynamoKey, SWEEP_MARK } from '../../domain/table';
import { dynamodb } from '../shared/aws/dynamodb';
import { sfn } from '../shared/aws/sfn';
import { awsCall, isAwsError, isTransient } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { FAILED_STATUSES } from '../../domain/executions';
import type { StatusFacts } from './decide';

const logger = createLogger('execution-status');

/**
 * The repair sweep's bounds (docs/pipelines.md, "The sweep"). Per run it makes at most
 * `STATE_MACHINES × LISTINGS × maxPagesPerListing` ListExecutions (5 × 4 × 5 = 100), `maxDescribesPerRun`
 * DescribeExecutions (100), for each of those the few calls of processing one status change, and one
 * GetItem and one PutItem of its high-water mark.
 */
export const SWEEP_LIMITS = {
  /** The first run (no mark yet) looks this far back. */
  firstLookbackMs: 24 * 3_600_000,
  /**
   * The longest a Slipway execution runs between its start and its stop (a deploy at the 24-hour maximum
   * deploy timeout, with more process types than the Map runs at once, stays below it): an execution
   * never redriven that stopped after the mark started at most this long before it.
   */
  longestRunMs: 7 * 86_400_000,
  /** ListExecutions may not list an execution the moment it stops: each run looks again this far before the mark. */
  overlapMs: 5 * 60_000,
  /** ListExecutions' maximum page (API reference: maxResults 1 to 1000). */
  pageSize: 1000,
  maxPagesPerListing: 5,
  maxDescribesPerRun: 100,
} as const;

/**
 * The listings of each state machine: one per failed status (statusFilter, newest start first, read
 * until the start bound), and every redriven execution (redriveFilter REDRIVEN: a redrive restarts an
 * old execution, whose start says nothing of when it stopped again; this also finds a redriven one that
 * SUCCEEDED, whose failure record is cleared or marked superseded). ListExecutions API reference.
 */
const LISTINGS: readonly Pick<ListExecutionsCommandInput, 'statusFilter' | 'redriveFilter'>[] = [{ statusFilter: 'FAILED' }, { statusFilter: 'TIMED_OUT' }, { statusFilter: 'ABORTED' }, { redriveFilter: 'REDRIVEN' }];

/** One execution the sweep could not process, reported (the others are still processed). */
export interface SweepError {
  readonly executionArn?: string;
  readonly stateMachine?: string;
  readonly error: string;
  readonly message: string;
}

/** What one sweep did. */
export interface SweepReport {
  /** Executions whose missed status change it processed. */
  readonly repaired: number;
  /** Stopped executions it looked at (since the mark). */
  readonly examined: number;
  readonly errors: SweepError[];
  /** The new high-water mark (ISO 8601): every execution that stopped before it has been looked at. */
  readonly mark: string;
  /** AWS calls of the sweep itself (processing a change adds its own). */
  readonly calls: { readonly listExecutions: number; readonly describeExecution: number };
}

interface Candidate {
  readonly item: ExecutionListItem & { executionArn: string; stopDate: Date };
  readonly pipeline: StateMachineName;
}

/** Whether a listed execution's status change is the bookkeeping's business (a failure, or a success after a redrive). */
function needsBookkeeping(x: ExecutionListItem): boolean {
  const status = x.status as StatusFacts['status'] | undefined;
  return status !== undefined && (FAILED_STATUSES.has(status) || (status === 'SUCCEEDED' && (x.redriveCount ?? 0) > 0));
}

async function readMark(table: string): Promise<number | undefined> {
  const out = await awsCall('DynamoDB GetItem sweep mark', () => dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(SWEEP_MARK), ConsistentRead: true })));
  const until = out.Item?.until?.S;
  const ms = until ? Date.parse(until) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

async function writeMark(table: string, at: number, report: Omit<SweepReport, 'mark'>): Promise<void> {
  await awsCall('DynamoDB PutItem sweep mark', () =>
    dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...dynamoKey(SWEEP_MARK), until: { S: new Date(at).toISOString() }, repaired: { N: String(report.repaired) }, errors: { N: String(report.errors.length) } },
      }),
    ),
  );
}

function errorOf(e: unknown): { error: string; message: string } {
  return { error: (e as Error)?.name ?? 'Error', message: String((e as Error)?.message ?? e).slice(0, 500) };
}

/**
 * The repair for status events that never arrived (they are best effort): every FAILED, TIMED_OUT and
 * ABORTED execution of the control plane's state machines, and every redriven one, that stopped since
 * the high-water mark (kept in the control table), oldest stop first, each processed by `process` (a
 * change already processed changes nothing). One execution's error (an app without settings, an AWS
 * error) is collected and reported; the others are still processed. The mark moves to the start of this
 * run, or stays before an execution that is still to do: one beyond the per-run limit, or one whose
 * error is transient (retried at the next run). A listing that failed or was cut at its page limit
 * leaves the mark where it was.
 */
export async function sweepStoppedExecutions(
  machines: ReadonlyMap<string, StateMachineName>,
  now: Date,
  controlTable: string,
  process: (facts: StatusFacts) => Promise<{ kind: string }>,
): Promise<SweepReport> {
  const L = SWEEP_LIMITS;
  const previous = await readMark(controlTable);
  const since = (previous ?? now.getTime() - L.firstLookbackMs) - L.overlapMs;
  const errors: SweepError[] = [];
  const calls = { listExecutions: 0, describeExecution: 0 };
  const candidates = new Map<string, Candidate>();
  let complete = true;

  for (const [stateMachineArn, pipeline] of machines) {
    for (const listing of LISTINGS) {
      let nextToken: string | undefined;
      let pages = 0;
      let reachedBound = false;
      do {
        let out;
        try {
          calls.listExecutions += 1;
          out = await awsCall(`Step Functions ListExecutions ${pipeline}`, () => sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: L.pageSize, ...listing, ...(nextToken ? { nextToken } : {}) })));
        } catch (e) {
          errors.push({ stateMachine: stateMachineArn, ...errorOf(e) });
          complete = false;
          break;
        }
        pages += 1;
        for (const x of out.executions ?? []) {
          // Newest start first: an execution never redriven that started before the bound stopped before the mark.
          if (!listing.redriveFilter && x.startDate && x.startDate.getTime() < since - L.longestRunMs) {
            reachedBound = true;
            break;
          }
          if (!x.executionArn || !x.stopDate || x.stopDate.getTime() < since || !needsBookkeeping(x)) continue;
          candidates.set(x.executionArn, { item: x as Candidate['item'], pipeline });
        }
        nextToken = reachedBound ? undefined : out.nextToken;
      } while (nextToken && pages < L.maxPagesPerListing);
      if (nextToken) {
        complete = false;
        errors.push({ stateMachine: stateMachineArn, error: 'SweepPageLimit', message: `more than ${L.maxPagesPerListing} pages of ${JSON.stringify(listing)} executions: the mark stays, the next run looks again` });
      }
    }
  }

  const ordered = [...candidates.values()].sort((a, b) => a.item.stopDate.getTime() - b.item.stopDate.getTime());
  let holdAt = now.getTime();
  let repaired = 0;
  let examined = 0;
  for (const [i, c] of ordered.entries()) {
    if (i >= L.maxDescribesPerRun) {
      holdAt = Math.min(holdAt, c.item.stopDate.getTime());
      break;
    }
    examined += 1;
    try {
      calls.describeExecution += 1;
      const d = await awsCall('Step Functions DescribeExecution', () => sfn.send(new DescribeExecutionCommand({ executionArn: c.item.executionArn })));
      const facts: StatusFacts = {
        executionArn: c.item.executionArn,
        pipeline: c.pipeline,
        status: (d.status ?? c.item.status) as StatusFacts['status'],
        redriveCount: d.redriveCount ?? c.item.redriveCount ?? 0,
        ...(d.input ? { input: d.input } : {}),
        ...(d.output ? { output: d.output } : {}),
        ...(d.error ? { error: d.error } : {}),
        ...(d.cause ? { cause: d.cause } : {}),
        at: (d.stopDate ?? c.item.stopDate).getTime(),
      };
      if ((await process(facts)).kind === 'recorded') repaired += 1;
    } catch (e) {
      errors.push({ executionArn: c.item.executionArn, ...errorOf(e) });
      if (isTransient(e) || isAwsError(e, 'TransientError')) holdAt = Math.min(holdAt, c.item.stopDate.getTime());
    }
  }

  // Executions stopping while this run lists are found by the next run (the overlap looks back before the mark).
  const mark = complete ? holdAt : (previous ?? since + L.overlapMs);
  const report = { repaired, examined, errors, calls };
  await writeMark(controlTable, mark, report);
  if (errors.length > 0) logger.error('sweep: some executions or listings could not be processed (the others were)', { errors: errors.slice(0, 20), count: errors.length });
  if (repaired > 0) logger.warn('sweep repaired execution records whose status event was missed', { repaired });
  return { ...report, mark: new Date(mark).toISOString() };
}
