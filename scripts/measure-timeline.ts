/**
 * `npx tsx scripts/measure-timeline.ts`: how long `slipway status` takes to turn a history at the
 * 25,000-event limit into its timeline (the CPU part; the GetExecutionHistory pages are 25 calls).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { EXECUTION_HISTORY_LIMIT } from '../domain/executions';
import { buildTimeline } from '../domain/execution-history';

function history(size: number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const t0 = Date.parse('2026-11-20T10:00:00Z');
  const add = (type: string, prev: number, details: Partial<HistoryEvent> = {}) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: prev, timestamp: new Date(t0 + id * 1000), type: type as HistoryEvent['type'], ...details });
    return id;
  };
  let prev = add('ExecutionStarted', 0);
  const mapEntered = add('MapStateEntered', prev, { stateEnteredEventDetails: { name: 'Deploy each process type' } });
  const started = add('MapStateStarted', mapEntered, { mapStateStartedEventDetails: { length: 4 } });
  const tails = [0, 1, 2, 3].map((index) => add('MapIterationStarted', started, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index } }));
  let i = 0;
  while (events.length < size - 10) {
    const it = i++ % 4;
    const entered = add('TaskStateEntered', tails[it], { stateEnteredEventDetails: { name: 'Create or update the service', input: '{"process":"web"}' } });
    const scheduled = add('TaskScheduled', entered, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } });
    const s = add('TaskStarted', scheduled);
    const failed = add('TaskFailed', s, { taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'TransientError', cause: 'x' } });
    const s2 = add('TaskStarted', add('TaskScheduled', failed, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } }));
    tails[it] = add('TaskStateExited', add('TaskSucceeded', s2), { stateExitedEventDetails: { name: 'Create or update the service' } });
  }
  prev = tails[3];
  add('ExecutionFailed', prev, { executionFailedEventDetails: { error: 'States.Runtime', cause: 'limit' } });
  return events;
}

const events = history(EXECUTION_HISTORY_LIMIT);
const runs: number[] = [];
for (let r = 0; r < 5; r++) {
  const start = process.hrtime.bigint();
  const timeline = buildTimeline(events);
  runs.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (r === 0) process.stdout.write(`${events.length} events -> ${timeline.entries.length} state entries\n`);
}
runs.sort((a, b) => a - b);
process.stdout.write(`buildTimeline: median ${runs[2].toFixed(1)} ms, best ${runs[0].toFixed(1)} ms, worst ${runs[4].toFixed(1)} ms (5 runs)\n`);
