import { isContainer, redriveScope, scopeKey, type StateEntry, type Timeline } from '../../domain/execution-history';
import { scopeLabels, type IterationLevel } from './step-labels';
import { summariseCause } from './failure-causes';

/** The timeline as the rows every renderer shows (`slipway status`, its `--json`, the local report). */

/** One state entered, as `slipway status --json` and the local report show it. */
export interface Step {
  readonly name: string;
  readonly type: string;
  readonly iteration: IterationLevel[];
  readonly status: StateEntry['status'];
  readonly enteredAt: string;
  /** When it exited, failed or was aborted (null while it runs). */
  readonly exitedAt: string | null;
  readonly durationSeconds: number | null;
  readonly attempts: number;
  /** Attempts that failed and were retried. */
  readonly retries: { at: string; error: string | null; cause: string | null }[];
  /** The error of its last attempt, if that failed (for a Fail state, the execution's error). */
  readonly error: string | null;
  /** That error's cause in one line ({@link summariseCause}). */
  readonly cause: string | null;
  /** 0 for the first run, n for the states run after the n-th redrive. */
  readonly redrive: number;
  /** The history has its `...StateExited` event. */
  readonly exited: boolean;
  /** A redrive would run it again (AWS's rule, {@link redriveScope}). */
  readonly rerun: boolean;
}

const seconds = (from?: Date, to?: Date): number | null => (from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 100) / 10) : null);

/**
 * The timeline as rows: top-level states in the order they were entered, each Map iteration's states
 * right after their Map state, iterations by index (so interleaved iterations read one after the other),
 * each row with when it exited or failed.
 */
export function stepsOf(timeline: Timeline): Step[] {
  const rerun = new Set(redriveScope(timeline));
  const toStep = (e: StateEntry): Step => {
    const failed = e.attempts.filter((a) => a.outcome === 'failed');
    const last = e.attempts[e.attempts.length - 1];
    const retried = last?.outcome === 'failed' && e.status !== 'succeeded' ? failed.slice(0, -1) : failed;
    return {
      name: e.name,
      type: e.type,
      iteration: scopeLabels(e.scope, timeline.itemLabels),
      status: e.status,
      enteredAt: e.enteredAt.toISOString(),
      exitedAt: e.exitedAt ? e.exitedAt.toISOString() : null,
      durationSeconds: seconds(e.enteredAt, e.exitedAt),
      attempts: e.attempts.length,
      retries: retried.map((a) => ({ at: (a.endedAt ?? a.scheduledAt).toISOString(), error: a.error ?? null, cause: a.cause ?? null })),
      error: last?.outcome === 'failed' ? (last.error ?? null) : e.type === 'Fail' ? (timeline.execution.error ?? null) : null,
      cause: last?.outcome === 'failed' ? summariseCause(last.cause, { error: last.error }) : e.type === 'Fail' ? summariseCause(timeline.execution.cause, { error: timeline.execution.error }) : null,
      redrive: e.redrive,
      exited: e.exited,
      rerun: rerun.has(e),
    };
  };
  // One pass: the entries of each scope, and the iteration (or branch) scopes opened under each scope.
  const inScope = new Map<string, StateEntry[]>();
  const childScopes = new Map<string, Map<string, { map: string; index: number }>>();
  for (const e of timeline.entries) {
    const list = inScope.get(e.scope.key);
    if (list) list.push(e);
    else inScope.set(e.scope.key, [e]);
    for (let d = 0; d < e.scope.path.length; d++) {
      const parent = scopeKey(e.scope.path.slice(0, d));
      const children = childScopes.get(parent) ?? new Map<string, { map: string; index: number }>();
      children.set(scopeKey(e.scope.path.slice(0, d + 1)), e.scope.path[d]);
      childScopes.set(parent, children);
    }
  }
  const out: Step[] = [];
  const emitted = new Set<string>();
  const emit = (key: string) => {
    for (const e of inScope.get(key) ?? []) {
      out.push(toStep(e));
      if (!isContainer(e)) continue;
      // The iterations (or branches) this Map or Parallel state opened, by index.
      const children = [...(childScopes.get(key) ?? new Map()).entries()].filter(([, level]) => level.map === e.name).sort((a, b) => a[1].index - b[1].index);
      for (const [child] of children) {
        if (emitted.has(child)) continue;
        emitted.add(child);
        emit(child);
      }
    }
  };
  emit('');
  return out;
}
