import { createHash } from 'node:crypto';

/** An EventBridge event pattern (the JSON a rule's EventPattern holds). */
export type EventPattern = { readonly [field: string]: readonly unknown[] | EventPattern };

/** A "Step Functions Execution Status Change" event, as Step Functions puts it on the default bus. */
export interface ExecutionStatusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly source: 'aws.states';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
    readonly startDate: number;
    readonly stopDate: number | null;
    readonly input: string;
    readonly inputDetails: { readonly included: boolean };
    readonly output: string | null;
    readonly outputDetails: { readonly included: boolean } | null;
    readonly stateMachineVersionArn: null;
    readonly stateMachineAliasArn: null;
    readonly redriveCount: number;
    readonly redriveDate: number | null;
    readonly redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';
    readonly redriveStatusReason: string;
    readonly error?: string | null;
    readonly cause?: string | null;
  };
}

/** A pattern the simulated bus cannot evaluate: a rule with it would match differently on AWS. */
export class UnsupportedEventPattern extends Error {
  public override readonly name = 'UnsupportedEventPattern';
}

/** A UUID-shaped id derived from `seed`, so that simulated runs repeat exactly. */
export function deterministicUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Whether `event` matches `pattern`, by EventBridge's rules (EventBridge User Guide, "Amazon EventBridge
 * event patterns" and "Content filtering"): every field of the pattern must match; a field's array
 * matches when any of its values matches (an array in the event matches when any element does); nested
 * objects match field by field; `$or` lists alternatives. Supported filters: exact values, `prefix`,
 * `anything-but` (values or prefix), `exists`, `numeric` (`<`, `<=`, `=`, `>=`, `>` pairs, on numbers
 * only). Any other filter throws {@link UnsupportedEventPattern} rather than guessing.
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const obj = event as Record<string, unknown>;
  for (const [field, expected] of Object.entries(pattern)) {
    if (field === '$or') {
      // "Or matching": the object matches when any of the listed sub-patterns does.
      if (!Array.isArray(expected) || !expected.some((p) => matchesEventPattern(p as EventPattern, event))) return false;
      continue;
    }
    const value = obj[field];
    if (Array.isArray(expected)) {
      if (!expected.some((m) => matchesValue(m, value))) return false;
    } else if (Array.isArray(value)) {
      // An array of objects in the event matches a nested pattern when one of its elements does (the
      // control plane's build rule matches one of a build's environment variables this way).
      if (!value.some((v) => matchesEventPattern(expected as EventPattern, v))) return false;
    } else if (!matchesEventPattern(expected as EventPattern, value)) return false;
  }
  return true;
}

function matchesValue(matcher: unknown, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (matcher === null || typeof matcher !== 'object') return value !== undefined && values.some((v) => v === matcher);
  const m = matcher as Record<string, unknown>;
  if ('exists' in m) return m.exists === true ? value !== undefined : value === undefined;
  if ('numeric' in m && Array.isArray(m.numeric)) {
    const ops = m.numeric as unknown[];
    if (ops.length === 0 || ops.length % 2 !== 0) throw new UnsupportedEventPattern(`numeric filter ${JSON.stringify(ops)} must be operator/number pairs`);
    return values.some((v) => {
      if (typeof v !== 'number') return false;
      for (let i = 0; i < ops.length; i += 2) {
        const [op, n] = [ops[i], ops[i + 1]];
        if (typeof n !== 'number') throw new UnsupportedEventPattern(`numeric filter ${JSON.stringify(ops)} compares with a non-number`);
        const ok = op === '<' ? v < n : op === '<=' ? v <= n : op === '=' ? v === n : op === '>=' ? v >= n : op === '>' ? v > n : undefined;
        if (ok === undefined) throw new UnsupportedEventPattern(`numeric filter ${JSON.stringify(ops)} has an unknown operator ${JSON.stringify(op)}`);
        if (!ok) return false;
      }
      return true;
    });
  }
  if ('prefix' in m && typeof m.prefix === 'string') return values.some((v) => typeof v === 'string' && v.startsWith(m.prefix as string));
  if ('anything-but' in m) {
    if (value === undefined) return false;
    const but = m['anything-but'];
    if (but !== null && typeof but === 'object' && !Array.isArray(but) && typeof (but as { prefix?: unknown }).prefix === 'string') {
      const p = (but as { prefix: string }).prefix;
      return values.every((v) => !(typeof v === 'string' && v.startsWith(p)));
    }
    const excluded = Array.isArray(but) ? but : [but];
    return values.every((v) => !excluded.includes(v));
  }
  throw new UnsupportedEventPattern(`the simulated event bus does not evaluate the filter ${JSON.stringify(matcher)}`);
}
