/**
 * Printing text that came from AWS (state and execution names, error names, causes, inputs) on an
 * operator's terminal. A Cause is whatever a Lambda function, an ECS container or a `Fail` state put
 * there; an execution name is whatever started it. Either may hold escape sequences (ESC [ 2 J clears the
 * screen, OSC 8 hides a link behind other text, OSC 52 writes the clipboard) or bidirectional-override
 * characters that make a line read differently from what it contains. Everything the pipeline commands
 * print from AWS goes through {@link escapeForTerminal} first.
 */

// C0 controls (tab and newline included: every field is printed on one line), DEL, C1 controls (0x9b is
// a one-byte CSI on many terminals), and the Unicode bidirectional embedding, override and isolate
// characters (the "Trojan Source" set, CVE-2021-42574) plus the line and paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * Makes a string safe to print on a terminal, one line: every control character, escape sequence
 * introducer and bidirectional-override character is shown visibly (`\e`, `\n`, `\t`, `\x07`,
 * `\u202e`) instead of being interpreted. Printable text, accents and emoji pass unchanged;
 * `undefined`/`null` print as `-`. Escaping is idempotent (its output has no character it would
 * escape), so text a renderer escaped can pass through the CLI's output escaping again unchanged.
 */
export function escapeForTerminal(text: string | null | undefined): string {
  if (text === undefined || text === null) return '-';
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// The timeline of an execution, as `slipway status` and `slipway local run` print it.

/** What {@link renderSteps} needs of a step (lib/ops/execution-steps.ts `Step`). */
export interface RenderableStep {
  readonly name: string;
  readonly type: string;
  readonly iteration: readonly { readonly map: string; readonly index: number; readonly item: string | null }[];
  readonly status: 'running' | 'succeeded' | 'caught' | 'failed' | 'aborted';
  readonly enteredAt: string;
  readonly exitedAt: string | null;
  readonly durationSeconds: number | null;
  readonly retries: readonly { readonly error: string | null }[];
  readonly error: string | null;
  readonly cause: string | null;
  readonly redrive: number;
  readonly rerun: boolean;
}

/** Options of {@link renderSteps}. */
export interface RenderStepsOptions {
  /** Show a `t+…` column: each step's time since this moment (a local run's simulated clock). */
  readonly origin?: Date;
  /** Print each failed step's cause under it. @default true */
  readonly causes?: boolean;
}

const MARK: Record<RenderableStep['status'], string> = { succeeded: '✓', caught: '↪', failed: '✗', running: '…', aborted: '-' };

/** `75.2` -> `1m15s`. */
export function formatDuration(s: number | null): string {
  if (s === null) return '-';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `t+1m05s`: simulated time since the origin. */
export function clockLabel(at: string | Date, origin: Date): string {
  const seconds = Math.max(0, Math.round((new Date(at).getTime() - origin.getTime()) / 1000));
  const m = Math.floor(seconds / 60);
  return `t+${m > 0 ? `${m}m` : ''}${String(seconds % 60).padStart(m > 0 ? 2 : 1, '0')}s`;
}

/**
 * The steps as an indented tree: each Map iteration under a `#index item` line, iterations by index,
 * `[redrive n]` after each state the n-th redrive ran (a failure it re-ran says `then redriven`), and each step's mark (✓ succeeded, ↪ failed
 * and caught, ✗ failed, … running, - aborted), duration, retries, error, and `← a redrive re-runs this`
 * on the states AWS would re-run. Everything from AWS is escaped ({@link escapeForTerminal}).
 */
export function renderSteps(steps: readonly RenderableStep[], options: RenderStepsOptions = {}): string[] {
  const lines: string[] = [];
  const clockWidth = 10;
  const column = (at?: string) => (options.origin ? (at ? clockLabel(at, options.origin) : '').padEnd(clockWidth) : '');
  let previous: RenderableStep['iteration'] = [];
  const where = (s: RenderableStep) => `${s.iteration.map((l) => `${l.map}[${l.index}]`).join('/')}\u0000${s.name}`;
  // The highest redrive that ran each state again (in its iteration): an earlier failure of it was redriven.
  const latestRun = new Map<string, number>();
  for (const s of steps) latestRun.set(where(s), Math.max(latestRun.get(where(s)) ?? 0, s.redrive));
  for (const s of steps) {
    let same = 0;
    while (same < s.iteration.length && same < previous.length && s.iteration[same].map === previous[same].map && s.iteration[same].index === previous[same].index) same++;
    for (let d = same; d < s.iteration.length; d++) {
      const level = s.iteration[d];
      lines.push(`${column()}${'  '.repeat(2 * d + 2)}#${level.index}${level.item ? ` ${escapeForTerminal(level.item)}` : ''}`);
    }
    previous = s.iteration;
    const indent = '  '.repeat(2 * s.iteration.length + 1);
    const retries = s.retries.length > 0 ? `, ${s.retries.length} ${s.retries.length === 1 ? 'retry' : 'retries'} (${[...new Set(s.retries.map((r) => escapeForTerminal(r.error ?? '?')))].join(', ')})` : '';
    const err = s.error && s.status !== 'succeeded' ? ` ${s.status === 'caught' ? 'caught' : 'error'} ${escapeForTerminal(s.error)}` : '';
    const state = s.status === 'aborted' ? ' aborted' : s.status === 'running' ? ' running' : '';
    const redriven = (latestRun.get(where(s)) ?? 0) > s.redrive && s.status !== 'succeeded' && s.status !== 'running';
    const endedAt = options.origin && s.exitedAt && s.status !== 'succeeded' && s.status !== 'running' ? ` at ${clockLabel(s.exitedAt, options.origin)}` : '';
    const ended = endedAt || redriven ? ` (${s.status === 'aborted' ? 'aborted' : 'failed'}${endedAt}${redriven ? ', then redriven' : ''})` : '';
    const byRedrive = s.redrive > 0 ? `  [redrive ${s.redrive}]` : '';
    const rerun = s.rerun ? '  ← a redrive re-runs this' : '';
    lines.push(`${column(s.enteredAt)}${indent}${MARK[s.status]} ${escapeForTerminal(s.name)}  ${formatDuration(s.durationSeconds)}${state}${retries}${err}${ended}${byRedrive}${rerun}`);
    if ((options.causes ?? true) && s.cause && (s.status === 'failed' || s.status === 'caught') && s.type !== 'Fail') lines.push(`${column()}${indent}    ${escapeForTerminal(s.cause)}`);
  }
  return lines;
}

/** What {@link renderRedriveVerdict} needs (lib/ops/redrive-advice.ts `RedriveAssessment`). */
export interface RenderableRedrive {
  readonly verdict: 'possible' | 'would-not-help' | 'not-redrivable' | 'not-failed';
  readonly reason: string | null;
  readonly instead: string | null;
  /** DescribeExecution's `redriveStatus` and `redriveStatusReason`, as AWS gives them (absent in a local run's timeline). */
  readonly status?: string | null;
  readonly statusReason?: string | null;
  readonly rerun: readonly { readonly state: string; readonly type: string; readonly iteration: readonly { readonly map: string; readonly index: number; readonly item: string | null }[] }[];
}

/** The states a redrive re-runs, for people: the innermost ones, with the iteration they run in. */
export function renderRerun(rerun: RenderableRedrive['rerun']): string {
  const isOuter = (r: RenderableRedrive['rerun'][number]) =>
    (r.type === 'Map' || r.type === 'Parallel') && rerun.some((o) => o.iteration.length > r.iteration.length && o.iteration[r.iteration.length]?.map === r.state);
  return rerun
    .filter((r) => !isOuter(r))
    .map((r) => `"${escapeForTerminal(r.state)}"${r.iteration.length > 0 ? ` (${r.iteration.map((l) => `${escapeForTerminal(l.map)} #${l.index}${l.item ? ` ${escapeForTerminal(l.item)}` : ''}`).join(' > ')})` : ''}`)
    .join(', ');
}

/**
 * The redrive lines under a failed execution: `redrive: possible — re-runs "…": <command>`,
 * `redrive would not help: <why>` + `instead: <what helps>`, or `redrive: not possible — <why>`.
 * Nothing for an execution that runs or succeeded.
 */
export function renderRedriveVerdict(r: RenderableRedrive, command?: string): string[] {
  const rerun = renderRerun(r.rerun);
  // Step Functions' own words (DescribeExecution's redriveStatus and redriveStatusReason), as AWS gives them.
  const aws = r.status ? [`step functions: ${escapeForTerminal(r.status)}${r.statusReason ? ` — ${escapeForTerminal(r.statusReason)}` : ''}`] : [];
  if (r.verdict === 'possible') return [`redrive: possible — re-runs ${rerun || 'the states still open'}${command ? `: ${command}` : ''}`, ...aws];
  if (r.verdict === 'would-not-help') return [`redrive would not help: ${escapeForTerminal(r.reason)}`, `instead: ${escapeForTerminal(r.instead)}`, ...aws];
  if (r.verdict === 'not-redrivable') return [`redrive: not possible — ${escapeForTerminal(r.reason)}`, ...(r.instead ? [`instead: ${escapeForTerminal(r.instead)}`] : []), ...aws];
  return [];
}

/**
 * Escapes a block of our own output line by line: the newlines between lines are kept, anything else
 * that could steer the terminal is escaped. For text rendered from outside data by several lines of
 * our own (a timeline, a table).
 */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeForTerminal).join('\n');
}

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidirectional overrides raw.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** A JSON document that prints inertly on a terminal and parses to the same value (`indent` 0: one line). */
export function jsonForTerminal(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent || undefined).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
