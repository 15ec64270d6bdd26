import { readFileSync } from 'node:fs';
import { aslPath, forEachState, type AslStates } from '../asl';
import { STATE_MACHINES, type StateMachineName } from '../../domain/pipelines';
import type { ExecutionReport } from './runner';

/** Every state name of an ASL file, including those inside Map and Parallel states. */
export function stateNames(rootDir: string, name: StateMachineName): string[] {
  const def = JSON.parse(readFileSync(aslPath(rootDir, name), 'utf8')) as { States: AslStates };
  const names: string[] = [];
  forEachState(def.States, (n) => names.push(n));
  return names;
}

/** Which states of which state machine local runs have entered. */
export class StateCoverage {
  private readonly visited = new Map<StateMachineName, Set<string>>();

  add(executions: readonly ExecutionReport[]): void {
    for (const e of executions) {
      const set = this.visited.get(e.stateMachine) ?? new Set<string>();
      for (const s of e.states) set.add(s.name);
      this.visited.set(e.stateMachine, set);
    }
  }

  /** Per ASL file (`names`, default all): entered states, all states and the ones never entered. */
  summary(rootDir: string, names: readonly StateMachineName[] = STATE_MACHINES): { name: StateMachineName; entered: number; total: number; missing: string[] }[] {
    return names.map((name) => {
      const all = stateNames(rootDir, name);
      const seen = this.visited.get(name) ?? new Set<string>();
      const missing = all.filter((s) => !seen.has(s));
      return { name, entered: all.length - missing.length, total: all.length, missing };
    });
  }
}
