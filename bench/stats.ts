/**
 * The benchmark's pure parts: summaries of repeated measurements, list prices, goal evaluation and
 * number formatting. No I/O here, so all of it is unit-tested (test/bench/stats.test.ts).
 */

/** A bench input that makes no sense (no samples, a negative count): named, with what was wrong. */
export class BenchInputError extends Error {
  public override readonly name = 'BenchInputError';
}

/** Median and spread of repeated measurements of one figure. */
export interface Summary {
  /** Number of runs. */
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every sample, in the order measured. */
  readonly values: readonly number[];
}

/**
 * Median (the mean of the two middle values for an even count), minimum and maximum.
 * @throws BenchInputError for no samples or a sample that is not a finite number.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new BenchInputError('cannot summarize zero samples: every figure needs at least one run');
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new BenchInputError(`sample ${String(bad)} is not a finite number: the measurement failed`);
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, median, min: s[0], max: s[s.length - 1], values: [...values] };
}

/** `a.median / b.median`; `Infinity` when `b`'s median is 0 and `a`'s is not, 1 when both are 0. */
export function ratioOfMedians(a: Summary, b: Summary): number {
  if (b.median === 0) return a.median === 0 ? 1 : Infinity;
  return a.median / b.median;
}

/**
 * List prices used to turn counts into money. Constants with their source, never measured: the bench
 * cannot reach AWS. Check the pages named in `source` before quoting a price.
 */
export const PRICES = {
  source:
    'AWS list prices, US East (N. Virginia): https://aws.amazon.com/step-functions/pricing/ (Standard workflows: $0.025 per 1,000 state transitions) and https://aws.amazon.com/lambda/pricing/ (requests $0.20 per 1M; Arm duration $0.0000133334 per GB-second, first 7.5 billion GB-s a month), as last seen published (2024-2025); this machine cannot reach aws.amazon.com, so re-check before quoting; free tiers ignored',
  stepFunctionsPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaArmPerGbSecond: 0.0000133334,
} as const;

/** What is assumed about each Lambda invocation when pricing its duration. */
export interface LambdaAssumptions {
  /** Memory of the pipeline functions (SlipwayFunction's default). */
  readonly memoryMb: number;
  /** Billed duration assumed per invocation (each handler makes one to three AWS API calls). */
  readonly billedMsPerInvocation: number;
}

/** Pipeline Lambdas: SlipwayFunction's 256 MB default, 100 ms billed per invocation (assumed, not measured on AWS). */
export const LAMBDA_ASSUMPTIONS: LambdaAssumptions = { memoryMb: 256, billedMsPerInvocation: 100 };

/** Price in USD of 1,000 releases that each take `transitions` state transitions and `invocations` Lambda invocations. */
export function pricePer1000Releases(transitions: number, invocations: number, lambda: LambdaAssumptions = LAMBDA_ASSUMPTIONS): { stepFunctions: number; lambda: number; total: number } {
  if (transitions < 0 || invocations < 0) throw new BenchInputError(`counts cannot be negative (transitions ${transitions}, invocations ${invocations})`);
  const stepFunctions = 1000 * transitions * PRICES.stepFunctionsPerTransition;
  const gbSeconds = (lambda.memoryMb / 1024) * (lambda.billedMsPerInvocation / 1000);
  const lambdaCost = 1000 * invocations * (PRICES.lambdaPerRequest + gbSeconds * PRICES.lambdaArmPerGbSecond);
  return { stepFunctions, lambda: lambdaCost, total: stepFunctions + lambdaCost };
}

/** One goal of issue 7 and whether this run met it. */
export interface GoalResult {
  readonly goal: string;
  /** The measured figure, as shown. */
  readonly figure: string;
  readonly pass: boolean;
  /** Why, when the figure alone does not say it. */
  readonly note?: string;
}

/** Goal: state transitions per release do not change with how long ECS takes. */
export function goalTransitionsIndependent(byDuration: readonly { settleSeconds: number; transitions: Summary }[]): GoalResult {
  if (byDuration.length < 2) throw new BenchInputError('the independence goal needs at least two settle times');
  const medians = byDuration.map((d) => d.transitions.median);
  const spreadFree = byDuration.every((d) => d.transitions.min === d.transitions.max);
  const pass = spreadFree && medians.every((m) => m === medians[0]);
  return {
    goal: 'state transitions per release independent of how long ECS takes',
    figure: byDuration.map((d) => `${d.transitions.median} at ${d.settleSeconds} s`).join(', '),
    pass,
  };
}

/** Goal: at least `factor` times fewer transitions than the polling baseline (at one settle time). */
export function goalFewerTransitions(slipway: Summary, polling: Summary, settleSeconds: number, factor = 5): GoalResult {
  const ratio = ratioOfMedians(polling, slipway);
  return { goal: `>= ${factor}x fewer state transitions than polling at ${settleSeconds} s`, figure: `${formatRatio(ratio)} (${polling.median} vs ${slipway.median})`, pass: ratio >= factor };
}

/** Goal: a figure's median strictly under a limit. */
export function goalUnder(goal: string, value: Summary, limit: number, unit: string): GoalResult {
  return { goal, figure: `${formatNumber(value.median)} ${unit} median (${formatNumber(value.min)}-${formatNumber(value.max)})`, pass: value.median < limit };
}

/** Goal: `subject` within `factor` times `baseline` (ratio of medians). */
export function goalWithinFactor(goal: string, subject: Summary, baseline: Summary, factor: number): GoalResult {
  const ratio = ratioOfMedians(subject, baseline);
  return { goal, figure: formatRatio(ratio), pass: ratio <= factor };
}

/** A number with at most `digits` decimals, trailing zeros dropped (12, 1.5, 0.25). */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

/** `1.23x` */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'infinite';
}

/** `$0.65` for cents and up, more decimals below a cent (`$0.0059`). */
export function formatUsd(value: number): string {
  if (value < 0) throw new BenchInputError(`a price cannot be negative: ${value}`);
  if (value === 0) return '$0';
  if (value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toPrecision(2)}`;
}

/** "median (min-max)" in one unit, e.g. `48.7 ms (45.1-60.2)`; just the value when there is no spread. */
export function formatSummary(s: Summary, unit = '', digits = 1): string {
  const u = unit ? ` ${unit}` : '';
  const v = (x: number) => formatNumber(x, digits);
  return s.min === s.max ? `${v(s.median)}${u}` : `${v(s.median)}${u} (${v(s.min)}-${v(s.max)})`;
}

/** A Markdown table: header row, alignment row, body rows (cells with `|` escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (c: string) => c.replace(/\|/g, '\\|');
  const mismatch = rows.find((r) => r.length !== header.length);
  if (mismatch) throw new BenchInputError(`table row has ${mismatch.length} cells, the header ${header.length}: ${mismatch.join(' / ')}`);
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}
