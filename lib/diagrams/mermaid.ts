import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Draws an Amazon States Language definition as a Mermaid flowchart: every state a node (shape by type),
 * Next / Default / Choices edges solid, Catch edges dotted and labelled with the errors they catch, a
 * Task's Retry written under its name, Map and Parallel states as subgraphs holding their states.
 * Generic: it reads any ASL file, not only Slipway's.
 */

type Json = Record<string, unknown>;

/** An ASL document that cannot be drawn (not JSON, no StartAt, a Next to a missing state). */
export class InvalidStateMachine extends Error {
  public override readonly name = 'InvalidStateMachine';
}

/** Text safe inside a Mermaid `"..."` label. */
export function escapeLabel(text: string): string {
  return text.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\|/g, '#124;').replace(/\n/g, ' ');
}

function shortList(items: string[], max = 3): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} +${items.length - max}`;
}

const OPERATORS: [string, string][] = [
  ['StringEquals', '=='], ['StringEqualsPath', '=='], ['NumericEquals', '=='], ['NumericEqualsPath', '=='], ['BooleanEquals', '=='], ['BooleanEqualsPath', '=='],
  ['TimestampEquals', '=='], ['StringLessThan', '<'], ['NumericLessThan', '<'], ['NumericLessThanPath', '<'], ['NumericGreaterThan', '>'], ['NumericGreaterThanPath', '>'],
  ['NumericLessThanEquals', '<='], ['NumericLessThanEqualsPath', '<='], ['NumericGreaterThanEquals', '>='], ['NumericGreaterThanEqualsPath', '>='],
  ['StringGreaterThan', '>'], ['StringLessThanEquals', '<='], ['StringGreaterThanEquals', '>='], ['TimestampLessThan', '<'], ['TimestampGreaterThan', '>'],
  ['StringMatches', 'matches'], ['IsPresent', 'is present:'], ['IsNull', 'is null:'], ['IsString', 'is string:'], ['IsNumeric', 'is numeric:'], ['IsBoolean', 'is boolean:'], ['IsTimestamp', 'is timestamp:'],
];

/** A Choice rule in words: `$.ok == false`, `($.a is null: true OR ...)`. */
export function describeCondition(rule: Json): string {
  if (Array.isArray(rule.And)) return (rule.And as Json[]).map(describeCondition).join(' AND ');
  if (Array.isArray(rule.Or)) return (rule.Or as Json[]).map(describeCondition).join(' OR ');
  if (rule.Not && typeof rule.Not === 'object') return `NOT (${describeCondition(rule.Not as Json)})`;
  if (typeof rule.Condition === 'string') return rule.Condition;
  for (const [key, op] of OPERATORS) {
    if (key in rule) return `${String(rule.Variable)} ${op} ${JSON.stringify(rule[key])}`;
  }
  return String(rule.Variable ?? 'condition');
}

function retrySummary(retry: Json[] | undefined): string | undefined {
  if (!retry || retry.length === 0) return undefined;
  return retry
    .map((r) => `retry ${shortList(((r.ErrorEquals as string[]) ?? []).map((e) => e.replace(/^(Lambda|DynamoDB|StepFunctions|ECS)\./, '')), 2)} ×${r.MaxAttempts ?? 3}`)
    .join('; ');
}

class Drawer {
  private readonly lines: string[] = [];
  private counter = 0;

  constructor(private readonly indent = '  ') {}

  /** Draws one States block; returns the node id of its StartAt state. */
  public block(states: Record<string, Json>, startAt: string, prefix: string, depth: number, endId: string): string {
    if (!(startAt in states)) throw new InvalidStateMachine(`StartAt "${startAt}" is not one of the states (${Object.keys(states).join(', ')})`);
    const ids = new Map<string, string>();
    for (const name of Object.keys(states)) ids.set(name, `${prefix}${this.counter++}`);
    const target = (from: string, next: unknown): string => {
      const id = ids.get(String(next));
      if (!id) throw new InvalidStateMachine(`state "${from}" goes to "${String(next)}", which does not exist`);
      return id;
    };
    const pad = this.indent.repeat(depth);
    for (const [name, state] of Object.entries(states)) {
      const id = ids.get(name) as string;
      const type = String(state.Type);
      const retry = retrySummary(state.Retry as Json[] | undefined);
      const label = escapeLabel(name) + (retry ? `<br/><small>${escapeLabel(retry)}</small>` : '');
      if (type === 'Map' || type === 'Parallel') {
        this.lines.push(`${pad}subgraph ${id} ["${escapeLabel(name)} (${type === 'Map' ? `Map over ${escapeLabel(String(state.ItemsPath ?? '$'))}` : 'Parallel'})"]`);
        this.lines.push(`${pad}${this.indent}direction TB`);
        if (type === 'Map') {
          const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
          if (!processor?.States || typeof processor.StartAt !== 'string') throw new InvalidStateMachine(`Map state "${name}" has no ItemProcessor (or Iterator) with StartAt and States`);
          const innerEnd = `${id}_done`;
          this.lines.push(`${pad}${this.indent}${id}_each(["each item"])`);
          const first = this.block(processor.States as Record<string, Json>, processor.StartAt, `${id}_`, depth + 1, innerEnd);
          this.lines.push(`${pad}${this.indent}${id}_each --> ${first}`);
          this.lines.push(`${pad}${this.indent}${innerEnd}(["item done"])`);
        } else {
          const branches = (state.Branches as Json[] | undefined) ?? [];
          branches.forEach((branch, i) => {
            const bid = `${id}_b${i}`;
            this.lines.push(`${pad}${this.indent}subgraph ${bid} ["branch ${i + 1}"]`);
            const first = this.block(branch.States as Record<string, Json>, String(branch.StartAt), `${bid}_`, depth + 2, `${bid}_done`);
            this.lines.push(`${pad}${this.indent}${this.indent}${bid}_start(("branch")) --> ${first}`);
            this.lines.push(`${pad}${this.indent}${this.indent}${bid}_done(["branch done"])`);
            this.lines.push(`${pad}${this.indent}end`);
          });
        }
        this.lines.push(`${pad}end`);
        if (retry) this.lines.push(`${pad}${id}_retry[/"${escapeLabel(retry)}"/] -.- ${id}`);
      } else {
        const shape =
          type === 'Choice' ? `{"${label}"}`
          : type === 'Succeed' ? `(["${label}"])`
          : type === 'Fail' ? `[["${label}"]]`
          : type === 'Wait' ? `[/"${label}"/]`
          : type === 'Pass' ? `("${label}")`
          : `["${label}"]`;
        this.lines.push(`${pad}${id}${shape}`);
        if (type === 'Succeed') this.lines.push(`${pad}class ${id} succeed`);
        if (type === 'Fail') this.lines.push(`${pad}class ${id} fail`);
        if (type === 'Choice') this.lines.push(`${pad}class ${id} choice`);
      }
    }
    for (const [name, state] of Object.entries(states)) {
      const id = ids.get(name) as string;
      if (state.Type === 'Choice') {
        for (const rule of (state.Choices as Json[] | undefined) ?? []) this.lines.push(`${pad}${id} -- "${escapeLabel(describeCondition(rule))}" --> ${target(name, rule.Next)}`);
        if (state.Default !== undefined) this.lines.push(`${pad}${id} -- "otherwise" --> ${target(name, state.Default)}`);
      }
      if (typeof state.Next === 'string') this.lines.push(`${pad}${id} --> ${target(name, state.Next)}`);
      if (state.End === true || state.Type === 'Succeed') this.lines.push(`${pad}${id} --> ${endId}`);
      for (const c of (state.Catch as Json[] | undefined) ?? []) {
        this.lines.push(`${pad}${id} -. "catch ${escapeLabel(shortList((c.ErrorEquals as string[]) ?? [], 2))}" .-> ${target(name, c.Next)}`);
      }
    }
    return ids.get(startAt) as string;
  }

  public text(): string[] {
    return this.lines;
  }
}

/** The Mermaid flowchart of one ASL document (a JSON string or the parsed object). */
export function aslToMermaid(definition: string | Json): string {
  let asl: Json;
  try {
    asl = typeof definition === 'string' ? (JSON.parse(definition) as Json) : definition;
  } catch (e) {
    throw new InvalidStateMachine(`not JSON: ${(e as Error).message}`);
  }
  if (typeof asl !== 'object' || asl === null || typeof asl.StartAt !== 'string' || typeof asl.States !== 'object' || asl.States === null) {
    throw new InvalidStateMachine('an ASL document needs "StartAt" and "States"');
  }
  const drawer = new Drawer();
  const first = drawer.block(asl.States as Record<string, Json>, asl.StartAt, 's', 1, 'finish');
  return [
    'flowchart TD',
    '  start((start)) --> ' + first,
    ...drawer.text(),
    '  finish((end))',
    '  classDef succeed fill:#d4f7d4,stroke:#2a7a2a',
    '  classDef fail fill:#fbd5d5,stroke:#a12a2a',
    '  classDef choice fill:#fff4cc,stroke:#a08000',
  ].join('\n');
}

/** Marks the generated part of docs/pipelines.md. */
export const BEGIN_MARKER = '<!-- BEGIN GENERATED DIAGRAMS: npm run diagrams -->';
export const END_MARKER = '<!-- END GENERATED DIAGRAMS -->';

/** The generated section: one heading and flowchart per `*.asl.json` in `dir`, by file name. */
export function diagramsSection(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.asl.json')).sort();
  const parts = files.map((file) => {
    const definition = readFileSync(path.join(dir, file), 'utf8');
    let drawn: string;
    try {
      drawn = aslToMermaid(definition);
    } catch (e) {
      throw new InvalidStateMachine(`${file}: ${(e as Error).message}`);
    }
    const comment = (JSON.parse(definition) as Json).Comment;
    const name = file.replace(/\.asl\.json$/, '');
    return [`### ${name}`, '', `From \`statemachines/${file}\`.${typeof comment === 'string' ? ` ${comment.replace(/\$\{AppName\}/g, '<app>')}` : ''}`, '', '```mermaid', drawn, '```'].join('\n');
  });
  return [BEGIN_MARKER, '', ...parts.flatMap((p) => [p, '']), END_MARKER].join('\n');
}

/** `doc` with its generated section replaced by a fresh one (the markers must be there). */
export function updateDoc(doc: string, dir: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new InvalidStateMachine(`the document has no "${BEGIN_MARKER}" ... "${END_MARKER}" section`);
  return doc.slice(0, begin) + diagramsSection(dir) + doc.slice(end + END_MARKER.length);
}
