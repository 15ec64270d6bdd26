import { scopeKey, type Scope, type StateEntry } from '../../domain/execution-history';

/** Where a step ran, for people: its Map iterations with what each works on (`#0 web`). */

/** One level of where a state ran: the Map state, the iteration's index and what it works on. */
export interface IterationLevel {
  readonly map: string;
  readonly index: number;
  readonly item: string | null;
}

/** The label of each level of a scope: `Deploy each process type #0 (web)`. */
export function scopeLabels(scope: Scope, labels: ReadonlyMap<string, string>): IterationLevel[] {
  return scope.path.map((p, i) => ({ map: p.map, index: p.index, item: labels.get(scopeKey(scope.path.slice(0, i + 1))) ?? null }));
}

/** Where a step ran, for people: `Deploy each process type #0 web`. */
export function whereLabel(levels: readonly { map: string; index: number; item?: string | null }[]): string {
  return levels.map((p) => `${p.map} #${p.index}${p.item ? ` ${p.item}` : ''}`).join(' > ');
}

/** A step with where it ran: `Update the service and wait for its deployment (Deploy each process type #0 web)`. */
export function stepLabel(entry: Pick<StateEntry, 'name' | 'scope'>, labels: ReadonlyMap<string, string> = new Map()): string {
  return entry.scope.path.length === 0 ? entry.name : `${entry.name} (${whereLabel(scopeLabels(entry.scope, labels))})`;
}

/** Several steps, the same state of several Map iterations once: `Update the service and wait for its deployment (Deploy each process type #0, #1)`. */
export function groupedLabels(entries: readonly Pick<StateEntry, 'name' | 'scope'>[], labels: ReadonlyMap<string, string> = new Map()): string[] {
  const groups = new Map<string, { name: string; where: string; items: { index: number; text: string }[] }>();
  for (const e of entries) {
    const levels = scopeLabels(e.scope, labels);
    const outer = levels.length > 1 ? `${whereLabel(levels.slice(0, -1))} > ` : '';
    const last = levels[levels.length - 1];
    const key = `${e.name}|${outer}${last?.map ?? ''}`;
    const g = groups.get(key) ?? { name: e.name, where: last ? `${outer}${last.map}` : '', items: [] };
    if (last) g.items.push({ index: last.index, text: `#${last.index}${last.item ? ` ${last.item}` : ''}` });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => (g.where ? `${g.name} (${g.where} ${g.items.sort((a, b) => a.index - b.index).map((i) => i.text).join(', ')})` : g.name));
}
