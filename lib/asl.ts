import { join } from 'node:path';

/** A state of an ASL document: the fields readers of this project look at, and the rest. */
export type AslState = Record<string, unknown> & { readonly Type?: string };

/** The `States` object of an ASL document or of a Map/Parallel state inside it. */
export type AslStates = Record<string, AslState>;

/** Path of `statemachines/<name>.asl.json` under the repository root. */
export function aslPath(rootDir: string, name: string): string {
  return join(rootDir, 'statemachines', `${name}.asl.json`);
}

/** Calls `visit` for every state, including the states inside Map (ItemProcessor/Iterator) and Parallel states. */
export function forEachState(states: AslStates, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    const nested = (state.ItemProcessor ?? state.Iterator) as { States?: AslStates } | undefined;
    if (nested?.States) forEachState(nested.States, visit);
    for (const branch of (state.Branches as { States: AslStates }[] | undefined) ?? []) forEachState(branch.States, visit);
  }
}

/** Every Task state by name, nested ones included. */
export function taskStates(states: AslStates): Map<string, AslState> {
  const tasks = new Map<string, AslState>();
  forEachState(states, (name, state) => {
    if (state.Type === 'Task') tasks.set(name, state);
  });
  return tasks;
}
