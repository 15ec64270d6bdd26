import { GetExecutionHistoryCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { aws, type OpsClients } from './aws';
import type { RedriveOutput } from './schemas';
import { escapeForTerminal, formatDuration } from './terminal';
import { realClock, type Clock } from './wall-clock';
import { seconds } from './execution-refs';
import { describeExecutionOrThrow } from './execution-target';
import { buildTimeline, runningStates } from '../../domain/execution-history';
import { groupedLabels } from './step-labels';
import { summariseCause } from './failure-causes';

/** `--watch`: following one execution until it stops, its progress lines and its exit code. */

/** A progress line for a running execution: its innermost running states and how long it has run. */
export async function progressOf(clients: OpsClients, arn: string, d: DescribeExecutionCommandOutput, now: Date): Promise<string> {
  const elapsed = formatDuration(seconds(d.startDate, d.stopDate ?? now));
  if (d.status !== 'RUNNING') return `${d.name}: ${d.status} after ${elapsed}`;
  const page = await aws(`Step Functions GetExecutionHistory ${arn}`, () => clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 100, includeExecutionData: false })));
  const recent = buildTimeline(page.events ?? []);
  const open = runningStates(recent);
  // A Map or Parallel state is shown through the states running inside it.
  const running = open.filter((e) => !((e.type === 'Map' || e.type === 'Parallel') && open.some((o) => o.scope.path.length > e.scope.path.length)));
  const where = running.length > 0 ? groupedLabels(running, recent.itemLabels).slice(0, 3).join(', ') : 'starting';
  return `${d.name}: running ${elapsed} — ${where}`;
}

/** Options of `--watch`. */
export interface FollowOptions {
  readonly clock?: Clock;
  /** Poll interval. @default 5000 */
  readonly intervalMs?: number;
  /** Give up after this long (the execution goes on). @default 2 hours */
  readonly timeoutMs?: number;
  /** Called with a progress line whenever it changes. */
  readonly onProgress?: (line: string) => void;
}

/** Follows one execution until it stops (or the timeout passes). */
export async function followExecution(clients: OpsClients, arn: string, options: FollowOptions = {}): Promise<NonNullable<RedriveOutput['watched']>> {
  const clock = options.clock ?? realClock;
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 2 * 3_600_000);
  let last = '';
  for (;;) {
    const d = await describeExecutionOrThrow(clients, arn);
    const line = await progressOf(clients, arn, d, clock.now());
    if (line !== last) options.onProgress?.(line);
    last = line;
    if (d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
      return { status: d.status as NonNullable<RedriveOutput['watched']>['status'], durationSeconds: seconds(d.redriveDate ?? d.startDate, d.stopDate), error: d.error ?? null, cause: d.cause ?? null, timedOut: false };
    }
    if (clock.now().getTime() >= deadline) return { status: 'RUNNING', durationSeconds: null, error: null, cause: null, timedOut: true };
    await clock.sleep(options.intervalMs ?? 5000);
  }
}

export function renderWatched(w: NonNullable<RedriveOutput['watched']>): string {
  if (w.timedOut) return 'stopped watching: still running';
  return `${w.status} after ${formatDuration(w.durationSeconds)}${w.error ? `: ${escapeForTerminal(w.error)}${w.cause ? ` — ${escapeForTerminal(summariseCause(w.cause, { error: w.error }))}` : ''}` : ''}`;
}

/** Exit code of a finished `--watch`: 0 if it succeeded. */
export function watchedExit(w: RedriveOutput['watched']): number {
  return !w || w.status === 'SUCCEEDED' ? 0 : 1;
}
