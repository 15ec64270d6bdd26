import type { JsonObject } from '../../domain/json';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Draws an Amazon States Language definition as top-down Mermaid flowcharts: every state a node (shape by
 * type, its name wrapped at NODE_LINE characters), Next / Default / Choices edges solid, Catch edges dotted,
 * every edge label at most MAX_EDGE_LABEL characters (a longer condition is `rule N`), a Task's Retry as
 * `retry ≤N` under its name (explained by LEGEND), Map and Parallel states as subgraphs holding their
 * states, and a table writing out every rule, catch and retrier. A machine listed in PHASES is drawn one
 * chart per phase. Generic: it reads any ASL file, not only Slipway's; layout.ts estimates how wide a chart
 * renders.
 */


/** An ASL document that cannot be drawn (not JSON, no StartAt, a Next to a missing state). */
export class InvalidStateMachine extends Error {
  public override readonly name = 'InvalidStateMachine';
}

/** Text safe inside a Mermaid `"..."` label. */
export function escapeLabel(text: string): string {
  return text.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\|/g, '#124;').replace(/\n/g, ' ');
}

const OPERATORS: [string, string][] = [
  ['StringEquals', '=='], ['StringEqualsPath', '=='], ['NumericEquals', '=='], ['NumericEqualsPath', '=='], ['BooleanEquals', '=='], ['BooleanEqualsPath', '=='],
  ['TimestampEquals', '=='], ['StringLessThan', '<'], ['NumericLessThan', '<'], ['NumericLessThanPath', '<'], ['NumericGreaterThan', '>'], ['NumericGreaterThanPath', '>'],
  ['NumericLessThanEquals', '<='], ['NumericLessThanEqualsPath', '<='], ['NumericGreaterThanEquals', '>='], ['NumericGreaterThanEqualsPath', '>='],
  ['StringGreaterThan', '>'], ['StringLessThanEquals', '<='], ['StringGreaterThanEquals', '>='], ['TimestampLessThan', '<'], ['TimestampGreaterThan', '>'],
  ['StringMatches', 'matches'], ['IsPresent', 'is present:'], ['IsNull', 'is null:'], ['IsString', 'is string:'], ['IsNumeric', 'is numeric:'], ['IsBoolean', 'is boolean:'], ['IsTimestamp', 'is timestamp:'],
];

/** A Choice rule in words: `$.ok == false`, `$.a > $.b` (a `...Path` operand is a path, not a string), `($.a is null: true OR ...)`. */
export function describeCondition(rule: JsonObject): string {
  if (Array.isArray(rule.And)) return (rule.And as JsonObject[]).map(describeCondition).join(' AND ');
  if (Array.isArray(rule.Or)) return (rule.Or as JsonObject[]).map(describeCondition).join(' OR ');
  if (rule.Not && typeof rule.Not === 'object') return `NOT (${describeCondition(rule.Not as JsonObject)})`;
  if (typeof rule.Condition === 'string') return rule.Condition;
  for (const [key, op] of OPERATORS) {
    if (key in rule) return `${String(rule.Variable)} ${op} ${key.endsWith('Path') ? String(rule[key]) : JSON.stringify(rule[key])}`;
  }
  return String(rule.Variable ?? 'condition');
}

/** The longest edge label drawn in a chart; longer conditions are numbered and written in the table below it. */
export const MAX_EDGE_LABEL = 32;
/** Node names are wrapped to lines of at most this many characters (a longer single word stays whole). */
export const NODE_LINE = 28;

/** `text` wrapped at word boundaries into lines of at most `width` characters. */
export function wrapWords(text: string, width = NODE_LINE): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** An error name without its service prefix and `Exception` suffix: `ConditionalCheckFailed`. */
export function shortError(name: string): string {
  return name === 'States.ALL' ? 'any error' : name.replace(/^(Lambda|DynamoDB|StepFunctions|ECS|EventBridge|SNS|SSM)\./, '').replace(/Exception$/, '');
}

/** The retry notation under a Task: `retry ≤6` (MaxAttempts of each retrier, `/` between retriers). */
export function retryNotation(retry: JsonObject[] | undefined): string | undefined {
  if (!retry || retry.length === 0) return undefined;
  return `retry ${retry.map((r) => `≤${String(r.MaxAttempts ?? 3)}`).join(' / ')}`;
}

interface Edge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'catch';
  label?: string;
}

/** One state as drawn: its node (or subgraph) lines and its outgoing edges. */
interface Drawn {
  id: string;
  name: string;
  defs: string[];
  edges: Edge[];
}

/** A row of the table under a chart: a Choice rule, a Catch or a Retry written out in full. */
export interface DetailRow {
  state: string;
  kind: 'rule' | 'otherwise' | 'catch' | 'retry';
  label: string;
  detail: string;
  to: string;
}

function edgeLine(e: Edge): string {
  if (e.kind === 'catch') return `${e.from} -. "${escapeLabel(e.label ?? 'catch')}" .-> ${e.to}`;
  if (e.label !== undefined) return `${e.from} -- "${escapeLabel(e.label)}" --> ${e.to}`;
  return `${e.from} --> ${e.to}`;
}

class Drawer {
  private counter = 0;
  public readonly rows: DetailRow[] = [];

  constructor(private readonly indent = '  ') {}

  /** Draws one States block; returns the node id of its StartAt state and each state as drawn. */
  public block(states: Record<string, JsonObject>, startAt: string, prefix: string, endId: string): { first: string; drawn: Drawn[] } {
    if (!(startAt in states)) throw new InvalidStateMachine(`StartAt "${startAt}" is not one of the states (${Object.keys(states).join(', ')})`);
    const ids = new Map<string, string>();
    for (const name of Object.keys(states)) ids.set(name, `${prefix}${this.counter++}`);
    const target = (from: string, next: unknown): string => {
      const id = ids.get(String(next));
      if (!id) throw new InvalidStateMachine(`state "${from}" goes to "${String(next)}", which does not exist`);
      return id;
    };
    const drawn: Drawn[] = [];
    for (const [name, state] of Object.entries(states)) {
      const id = ids.get(name) as string;
      const type = String(state.Type);
      const defs: string[] = [];
      const retry = retryNotation(state.Retry as JsonObject[] | undefined);
      for (const r of (state.Retry as JsonObject[] | undefined) ?? []) {
        const errors = ((r.ErrorEquals as string[]) ?? []).map((e) => `\`${e}\``).join(', ');
        this.rows.push({ state: name, kind: 'retry', label: `≤${String(r.MaxAttempts ?? 3)}`, detail: `${errors}: up to ${String(r.MaxAttempts ?? 3)} retries, the first after ${String(r.IntervalSeconds ?? 1)} s, each wait ×${String(r.BackoffRate ?? 2)} the one before`, to: '' });
      }
      const label = wrapWords(name).map(escapeLabel).join('<br/>') + (retry ? `<br/><small>${escapeLabel(retry)}</small>` : '');
      if (type === 'Map' || type === 'Parallel') {
        defs.push(`subgraph ${id} ["${escapeLabel(name)} (${type === 'Map' ? `Map over ${escapeLabel(String(state.ItemsPath ?? '$'))}` : 'Parallel'})"]`);
        defs.push(`${this.indent}direction TB`);
        const inner = (block: { first: string; drawn: Drawn[] }): string[] => block.drawn.flatMap((d) => [...d.defs, ...d.edges.map(edgeLine)]).map((l) => this.indent + l);
        if (type === 'Map') {
          const processor = (state.ItemProcessor ?? state.Iterator) as JsonObject | undefined;
          if (!processor?.States || typeof processor.StartAt !== 'string') throw new InvalidStateMachine(`Map state "${name}" has no ItemProcessor (or Iterator) with StartAt and States`);
          const innerEnd = `${id}_done`;
          defs.push(`${this.indent}${id}_each(["each item"])`);
          const b = this.block(processor.States as Record<string, JsonObject>, processor.StartAt, `${id}_`, innerEnd);
          defs.push(...inner(b));
          defs.push(`${this.indent}${id}_each --> ${b.first}`);
          defs.push(`${this.indent}${innerEnd}(["item done"])`);
        } else {
          const branches = (state.Branches as JsonObject[] | undefined) ?? [];
          branches.forEach((branch, i) => {
            const bid = `${id}_b${i}`;
            defs.push(`${this.indent}subgraph ${bid} ["branch ${i + 1}"]`);
            const b = this.block(branch.States as Record<string, JsonObject>, String(branch.StartAt), `${bid}_`, `${bid}_done`);
            defs.push(...inner(b).map((l) => this.indent + l));
            defs.push(`${this.indent}${this.indent}${bid}_start(("branch")) --> ${b.first}`);
            defs.push(`${this.indent}${this.indent}${bid}_done(["branch done"])`);
            defs.push(`${this.indent}end`);
          });
        }
        defs.push('end');
        if (retry) defs.push(`${id}_retry[/"${escapeLabel(retry)}"/] -.- ${id}`);
      } else {
        const shape =
          type === 'Choice' ? `{"${label}"}`
          : type === 'Succeed' ? `(["${label}"])`
          : type === 'Fail' ? `[["${label}"]]`
          : type === 'Wait' ? `[/"${label}"/]`
          : type === 'Pass' ? `("${label}")`
          : `["${label}"]`;
        defs.push(`${id}${shape}`);
        if (type === 'Succeed') defs.push(`class ${id} succeed`);
        if (type === 'Fail') defs.push(`class ${id} fail`);
        if (type === 'Choice') defs.push(`class ${id} choice`);
      }
      const edges: Edge[] = [];
      if (type === 'Choice') {
        // Rules (and the Default) going to the same state are one edge: two labels on one pair of nodes overlap.
        const rules = (state.Choices as JsonObject[] | undefined) ?? [];
        const byTarget = new Map<string, { rules: number[]; otherwise: boolean }>();
        const at = (to: string) => byTarget.get(to) ?? (byTarget.set(to, { rules: [], otherwise: false }).get(to) as { rules: number[]; otherwise: boolean });
        rules.forEach((rule, i) => {
          at(target(name, rule.Next)).rules.push(i);
          this.rows.push({ state: name, kind: 'rule', label: `rule ${i + 1}`, detail: describeCondition(rule), to: String(rule.Next) });
        });
        if (state.Default !== undefined) {
          at(target(name, state.Default)).otherwise = true;
          this.rows.push({ state: name, kind: 'otherwise', label: 'otherwise', detail: 'no rule matched (`Default`)', to: String(state.Default) });
        }
        for (const [to, t] of byTarget) {
          const words = [...(t.rules.length > 0 ? [t.rules.map((i) => describeCondition(rules[i])).join(' OR ')] : []), ...(t.otherwise ? ['otherwise'] : [])].join(' or ');
          const numbered = [...t.rules.map((i) => String(i + 1)), ...(t.otherwise ? ['otherwise'] : [])];
          const compact = t.rules.length === 0 ? 'otherwise' : `rule ${numbered.length === 1 ? numbered[0] : `${numbered.slice(0, -1).join(', ')} or ${numbered[numbered.length - 1]}`}`;
          edges.push({ from: id, to, kind: 'choice', label: words.length <= MAX_EDGE_LABEL ? words : compact });
        }
      }
      if (typeof state.Next === 'string') edges.push({ from: id, to: target(name, state.Next), kind: 'next' });
      if (state.End === true || state.Type === 'Succeed') edges.push({ from: id, to: endId, kind: 'next' });
      // Catches going to the same state are one dotted edge naming all their errors.
      const catches = new Map<string, { next: string; errors: string[][] }>();
      for (const c of (state.Catch as JsonObject[] | undefined) ?? []) {
        const to = target(name, c.Next);
        const entry = catches.get(to) ?? { next: String(c.Next), errors: [] };
        entry.errors.push((c.ErrorEquals as string[]) ?? []);
        catches.set(to, entry);
      }
      for (const [to, { next, errors }] of catches) {
        const all = errors.flat();
        let short = `catch ${all.map(shortError).join(', ')}`;
        if (short.length > MAX_EDGE_LABEL) short = `catch ${shortError(all[0])} +${all.length - 1}`;
        if (short.length > MAX_EDGE_LABEL) short = `catch ${all.length} errors`;
        edges.push({ from: id, to, kind: 'catch', label: short });
        for (const e of errors) this.rows.push({ state: name, kind: 'catch', label: short, detail: e.map((x) => `\`${x}\``).join(', '), to: next });
      }
      drawn.push({ id, name, defs, edges });
    }
    return { first: ids.get(startAt) as string, drawn };
  }
}

/** A part of a large state machine drawn as its own chart: the top-level states reached from `from`. */
export interface Phase {
  title: string;
  /** The first state of the phase (a top-level state name). */
  from: string;
}

/** One chart of a state machine (the whole of it, or one phase). */
export interface Chart {
  title?: string;
  mermaid: string;
}

const CLASS_DEFS = ['  classDef succeed fill:#d4f7d4,stroke:#2a7a2a', '  classDef fail fill:#fbd5d5,stroke:#a12a2a', '  classDef choice fill:#fff4cc,stroke:#a08000', '  classDef offpage fill:#eeeeee,stroke:#777777,stroke-dasharray:3 3'];

function parse(definition: string | JsonObject): JsonObject {
  let asl: JsonObject;
  try {
    asl = typeof definition === 'string' ? (JSON.parse(definition) as JsonObject) : definition;
  } catch (e) {
    throw new InvalidStateMachine(`not JSON: ${(e as Error).message}`);
  }
  if (typeof asl !== 'object' || asl === null || typeof asl.StartAt !== 'string' || typeof asl.States !== 'object' || asl.States === null) {
    throw new InvalidStateMachine('an ASL document needs "StartAt" and "States"');
  }
  return asl;
}

/**
 * The Mermaid flowcharts of one ASL document and the table rows that write out its conditions, catches and
 * retries. With `phases`, one chart per phase: a top-level state belongs to the first phase (in order)
 * that reaches it without passing another phase's first state; an edge into another phase ends in a grey
 * "part N" node, and a phase entered from another one starts with a "from part N" node.
 */
export function drawStateMachine(definition: string | JsonObject, phases: Phase[] = []): { charts: Chart[]; rows: DetailRow[] } {
  const asl = parse(definition);
  const states = asl.States as Record<string, JsonObject>;
  const drawer = new Drawer();
  const { first, drawn } = drawer.block(states, asl.StartAt as string, 's', 'finish');
  const byId = new Map(drawn.map((d) => [d.id, d]));
  const list: Phase[] = phases.length > 0 ? phases : [{ title: '', from: asl.StartAt as string }];
  const partOf = new Map<string, number>();
  list.forEach((phase, p) => {
    const start = drawn.find((d) => d.name === phase.from);
    if (!start) throw new InvalidStateMachine(`phase "${phase.title}" starts at "${phase.from}", which is not a top-level state`);
    partOf.set(start.id, p);
  });
  const starts = new Set(partOf.keys());
  list.forEach((phase, p) => {
    const queue = [(drawn.find((d) => d.name === phase.from) as Drawn).id];
    while (queue.length > 0) {
      const d = byId.get(queue.shift() as string) as Drawn;
      for (const e of d.edges) {
        if (!byId.has(e.to) || partOf.has(e.to) || starts.has(e.to)) continue;
        partOf.set(e.to, p);
        queue.push(e.to);
      }
    }
  });
  const unreached = drawn.filter((d) => !partOf.has(d.id));
  if (unreached.length > 0) throw new InvalidStateMachine(`no phase reaches ${unreached.map((d) => `"${d.name}"`).join(', ')}`);
  const charts = list.map((phase, p) => {
    const mine = drawn.filter((d) => partOf.get(d.id) === p);
    const lines = ['flowchart TD'];
    if (partOf.get(first) === p) lines.push(`  start((start)) --> ${first}`);
    const incoming = new Map<string, Set<number>>();
    for (const d of drawn) for (const e of d.edges) if (partOf.get(d.id) !== p && partOf.get(e.to) === p) incoming.set(e.to, (incoming.get(e.to) ?? new Set()).add((partOf.get(d.id) as number) + 1));
    for (const [to, from] of incoming) lines.push(`  from_${to}(["from part ${[...from].sort().join(', ')}"]) --> ${to}`, `  class from_${to} offpage`);
    let ends = false;
    const offpage = new Set<string>();
    for (const d of mine) lines.push(...d.defs.map((l) => `  ${l}`));
    for (const d of mine) {
      for (const e of d.edges) {
        if (e.to === 'finish') ends = true;
        const q = partOf.get(e.to);
        if (q === undefined || q === p) {
          lines.push(`  ${edgeLine(e)}`);
        } else {
          const node = `to_${e.to}`;
          if (!offpage.has(node)) {
            offpage.add(node);
            lines.push(`  ${node}>"${wrapWords(`part ${q + 1}: ${(byId.get(e.to) as Drawn).name}`).map(escapeLabel).join('<br/>')}"]`, `  class ${node} offpage`);
          }
          lines.push(`  ${edgeLine({ ...e, to: node })}`);
        }
      }
    }
    if (ends) lines.push('  finish((end))');
    lines.push(...CLASS_DEFS);
    return { title: phases.length > 0 ? phase.title : undefined, mermaid: lines.join('\n') };
  });
  return { charts, rows: drawer.rows };
}

/** The Mermaid flowchart of one ASL document (a JSON string or the parsed object), in one chart. */
export function aslToMermaid(definition: string | JsonObject): string {
  return drawStateMachine(definition).charts[0].mermaid;
}

/** Marks the generated part of docs/pipelines.md. */
export const BEGIN_MARKER = '<!-- BEGIN GENERATED DIAGRAMS: npm run diagrams -->';
export const END_MARKER = '<!-- END GENERATED DIAGRAMS -->';

/**
 * State machines too tall to read as one chart, drawn one phase per chart (by file name). A test keeps every
 * chart under MAX_NODES nodes, so a machine that grows past it needs phases here.
 */
export const PHASES: Record<string, Phase[]> = {
  'build.asl.json': [
    { title: 'the build recorded, its revisions registered', from: 'Read the build event' },
    { title: 'the release started, or its name found taken', from: 'Start the release' },
  ],
  'release.asl.json': [
    { title: 'the release task', from: 'Does the input name the app and its table?' },
    { title: 'the deploy started, or its name found taken', from: 'Start the deploy' },
  ],
  'config-change.asl.json': [
    { title: 'what changed, and claiming the redeploy', from: 'Read the parameter change' },
    { title: 'waiting for more changes and for a running deploy or release', from: 'Wait for more changes' },
    { title: 'the redeploy', from: 'Give up the redeploy claim' },
  ],
  'deploy.asl.json': [
    { title: 'the input checked against the app\'s records', from: 'Does the input name the app and its table?' },
    { title: 'the app\'s claim', from: 'Claim the app for this build' },
    { title: 'each process type', from: 'Deploy each process type' },
    { title: 'the release recorded and numbered', from: 'Record the release' },
  ],
};

/** The legend printed above the generated charts. */
export const LEGEND = [
  '**Reading the charts.** Rectangles are Tasks, diamonds Choices, rounded boxes Pass states, stadiums',
  '`Succeed` states (green), double-edged boxes `Fail` states (red), slanted boxes Waits. Solid arrows are',
  '`Next`, `Default` ("otherwise") and Choice rules; dotted arrows are `Catch`. A Choice edge is labelled',
  'with its condition (a JSONPath compared with a literal, `$.action == "deploy"`, or with another path,',
  '`$.a > $.b`) or, when that is long, with `rule N`: the table under the chart writes out every rule,',
  'catch and retry. A grey flag `part N: ...` means the execution continues in part N of the same state',
  'machine; `from part N` is where it comes in.',
  '',
  '**Retry notation.** `retry ≤6` under a Task: on the errors its `Retry` lists, Step Functions retries',
  'the Task up to 6 more times (`MaxAttempts`), waiting `IntervalSeconds` and then that times',
  '`BackoffRate` between attempts; `retry ≤5 / ≤2` is a Task with two retriers. Errors not listed (and any',
  'error once the retries are used up) go to the Task\'s `Catch`, or fail the execution at that Task.',
].join('\n');

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The tables under a state machine's charts: every Choice rule and Catch in full, then every retrier (Tasks
 * with the same errors, attempts, interval and backoff on one row).
 */
export function detailsTable(rows: DetailRow[]): string {
  const edges = rows.filter((r) => r.kind !== 'retry').map((r) => {
    const detail = r.kind === 'rule' ? `\`${r.detail}\`` : r.detail;
    return `| ${cell(r.state)} | \`${cell(r.label)}\` | ${cell(detail)} | ${cell(r.to)} |`;
  });
  const retries = new Map<string, string[]>();
  for (const r of rows.filter((x) => x.kind === 'retry')) retries.set(`| \`retry ${r.label}\` | ${cell(r.detail)} |`, [...(retries.get(`| \`retry ${r.label}\` | ${cell(r.detail)} |`) ?? []), r.state]);
  return [
    ...(edges.length > 0 ? ['| state | edge | condition or errors caught | goes to |', '|---|---|---|---|', ...edges, ''] : []),
    ...(retries.size > 0 ? ['| retry | on the errors, how often, how long between | Tasks |', '|---|---|---|', ...[...retries].map(([row, states]) => `${row} ${cell(states.join(', '))} |`)] : []),
  ].join('\n').trimEnd();
}

/** The generated section: the legend, then per `*.asl.json` in `dir` (by file name) a heading, its charts and its table. */
export function diagramsSection(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.asl.json')).sort();
  const parts = files.map((file) => {
    const definition = readFileSync(path.join(dir, file), 'utf8');
    let drawn: ReturnType<typeof drawStateMachine>;
    try {
      drawn = drawStateMachine(definition, PHASES[file]);
    } catch (e) {
      throw new InvalidStateMachine(`${file}: ${(e as Error).message}`);
    }
    const comment = (JSON.parse(definition) as JsonObject).Comment;
    const name = file.replace(/\.asl\.json$/, '');
    const charts = drawn.charts.flatMap((c, i) => [...(c.title ? [`#### ${name}, part ${i + 1}: ${c.title}`, ''] : []), '```mermaid', c.mermaid, '```', '']);
    return [`### ${name}`, '', `From \`statemachines/${file}\`.${typeof comment === 'string' ? ` ${comment.replace(/\$\{AppName\}/g, '<app>')}` : ''}`, '', ...charts, detailsTable(drawn.rows)].join('\n');
  });
  return [BEGIN_MARKER, '', LEGEND, '', ...parts.flatMap((p) => [p, '']), END_MARKER].join('\n');
}

/** `doc` with its generated section replaced by a fresh one (the markers must be there). */
export function updateDoc(doc: string, dir: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new InvalidStateMachine(`the document has no "${BEGIN_MARKER}" ... "${END_MARKER}" section`);
  return doc.slice(0, begin) + diagramsSection(dir) + doc.slice(end + END_MARKER.length);
}
