import type { AslState, AslStates } from '../asl';
import { LocalRunError } from './run-error';

/**
 * What of the Amazon States Language the local engine runs as AWS does, and what it refuses before a run
 * starts. The table in docs/local-runs.md ("What the engine runs") lists each construct with its evidence:
 * a recorded AWS history in test/fixtures/aws-histories replayed by `npm run conformance`, or why it is
 * refused. A construct is refused when the engine (aws-local-stepfunctions 3.0 with
 * patches/aws-local-stepfunctions+3.0.0.patch) would ignore it or run it differently, or when no AWS
 * recording shows what it does. Nothing here knows a state by its name.
 */

/** A construct of the ASL that the local engine does not run as AWS does, found in a definition before it runs. */
export class UnsupportedConstruct extends LocalRunError {
  public override readonly name: string = 'UnsupportedConstruct';
  constructor(
    /** The construct, as the ASL spells it (`ItemReader`, `ProcessorConfig.Mode DISTRIBUTED`, ...). */
    readonly construct: string,
    /** The state that uses it; undefined for a top-level field. */
    readonly state: string | undefined,
    reason: string,
  ) {
    super(`${state === undefined ? 'the state machine' : `state "${state}"`} uses ${construct}, which the local engine does not run as AWS does: ${reason}`);
  }
}

const DISTRIBUTED = 'a Distributed Map runs its iterations as child executions over items read from Amazon S3 (Step Functions guide, "Using Map state in Distributed mode"); the local engine runs inline Maps only';
const JSONATA = 'the local engine evaluates JSONPath only (it ignores JSONata and variables, so the state would run with other data than on AWS); write the state in JSONPath';

/** Fields refused on any state, and why. */
const ANY_STATE: Readonly<Record<string, string>> = {
  Assign: `workflow variables: ${JSONATA}`,
  Arguments: `a JSONata field: ${JSONATA}`,
  Output: `a JSONata field: ${JSONATA}`,
};

/** Fields refused on a Map state, and why. */
const MAP_FIELDS: Readonly<Record<string, string>> = {
  ItemReader: DISTRIBUTED,
  ItemBatcher: DISTRIBUTED,
  ResultWriter: DISTRIBUTED,
  Label: DISTRIBUTED,
  ToleratedFailureCount: `${DISTRIBUTED}, the only mode with a failure threshold`,
  ToleratedFailureCountPath: `${DISTRIBUTED}, the only mode with a failure threshold`,
  ToleratedFailurePercentage: `${DISTRIBUTED}, the only mode with a failure threshold`,
  ToleratedFailurePercentagePath: `${DISTRIBUTED}, the only mode with a failure threshold`,
  Items: `a JSONata field: ${JSONATA}`,
  MaxConcurrencyPath:
    'AWS stalls an execution whose MaxConcurrencyPath reads a negative number, before the Map is entered (recorded: localstack tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios::test_max_concurrency_path_negative), which the engine does not reproduce; use MaxConcurrency',
};

/**
 * Choice operators with no AWS recording the engine is checked against (the recorded ones: Boolean*,
 * Is{Boolean,Null,Numeric,Present,String}, Numeric*, String{Equals,GreaterThan,LessThan}* and their Path
 * forms, fixtures 13-13d; And/Or/Not, fixture 10b). LocalStack's timestamp snapshots mask the values.
 */
const UNRECORDED_OPERATOR = /^(Timestamp(Equals|GreaterThan|GreaterThanEquals|LessThan|LessThanEquals)(Path)?|IsTimestamp|StringMatches)$/;

/**
 * Intrinsic functions whose AWS behaviour no replayed recording shows the engine matching (the recorded
 * ones: fixtures 14-14g, 123 executions). `States.MathRandom`: AWS ran it on 12.5 and 44.51, which the
 * engine refuses (it wants integers), and the recorded results are masked (random). `States.ArrayUnique`:
 * LocalStack's test of it ran `States.ArrayLength` instead, so nothing of AWS's answer is recorded.
 */
const UNRECORDED_INTRINSIC: Readonly<Record<string, string>> = {
  'States.MathRandom': 'AWS accepts arguments the engine refuses (recorded: 12.5 and 44.51 succeed on AWS) and no recorded result can be compared (random, masked in the recording); pass a value from the execution input instead',
  'States.ArrayUnique': 'no recorded AWS execution shows which duplicates it keeps and in what order (test/fixtures/aws-histories/README.md)',
};

/** Every payload template field whose value is a path or an intrinsic function (`"key.$"`), anywhere in `value`. */
function* pathValues(value: unknown): Generator<string> {
  if (Array.isArray(value)) for (const v of value) yield* pathValues(v);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('.$') && typeof v === 'string') yield v;
      else yield* pathValues(v);
    }
  }
}

function checkIntrinsics(name: string, state: AslState): void {
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector']) {
    for (const expr of pathValues(state[field])) {
      for (const [fn, why] of Object.entries(UNRECORDED_INTRINSIC)) {
        if (new RegExp(`(^|[^A-Za-z0-9.])${fn.replace('.', '\\.')}\\s*\\(`).test(expr)) throw new UnsupportedConstruct(`the intrinsic function ${fn}`, name, why);
      }
    }
  }
}

function checkRule(state: string, rule: Record<string, unknown>): void {
  for (const key of Object.keys(rule)) {
    if (UNRECORDED_OPERATOR.test(key)) throw new UnsupportedConstruct(`the Choice operator ${key}`, state, 'no recorded AWS execution shows how it compares (test/fixtures/aws-histories/README.md); compare with a recorded operator');
  }
  for (const nested of [...((rule.And as Record<string, unknown>[] | undefined) ?? []), ...((rule.Or as Record<string, unknown>[] | undefined) ?? []), ...(rule.Not ? [rule.Not as Record<string, unknown>] : [])]) checkRule(state, nested);
}

/**
 * Throws {@link UnsupportedConstruct} for the first construct of `def` the local engine does not run as
 * AWS does. Called on every definition before its first run (lib/local/definitions.ts, lib/local/engine.ts).
 */
export function refuseUnsupported(def: { readonly States: unknown; readonly [k: string]: unknown }): void {
  if (def.QueryLanguage !== undefined && def.QueryLanguage !== 'JSONPath') throw new UnsupportedConstruct(`QueryLanguage ${JSON.stringify(def.QueryLanguage)}`, undefined, JSONATA);
  if (def.TimeoutSeconds !== undefined) {
    throw new UnsupportedConstruct('TimeoutSeconds (of the execution)', undefined, 'the engine would end the execution on real timers, not on the simulated clock; bound the execution with the states\' own TimeoutSeconds and loop counters');
  }
  visit(def.States as AslStates);
}

function visit(states: AslStates): void {
  for (const [name, state] of Object.entries(states)) {
    check(name, state);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States?: AslStates } | undefined;
    if (processor?.States) visit(processor.States);
    for (const branch of (state.Branches as { States: AslStates }[] | undefined) ?? []) visit(branch.States);
  }
}

function check(name: string, state: AslState): void {
  if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') throw new UnsupportedConstruct(`QueryLanguage ${JSON.stringify(state.QueryLanguage)}`, name, JSONATA);
  for (const [field, why] of Object.entries(ANY_STATE)) if (state[field] !== undefined) throw new UnsupportedConstruct(field, name, why);
  checkIntrinsics(name, state);
  switch (state.Type) {
    case 'Task':
      if (state.Credentials !== undefined) throw new UnsupportedConstruct('Credentials', name, 'the simulated account is one account: a Task cannot assume a role into another (Step Functions guide, "Accessing resources in other AWS accounts")');
      return;
    case 'Choice':
      for (const rule of (state.Choices as Record<string, unknown>[] | undefined) ?? []) checkRule(name, rule);
      return;
    case 'Wait':
      for (const field of ['Timestamp', 'TimestampPath']) {
        if (state[field] !== undefined) throw new UnsupportedConstruct(field, name, 'the engine would wait for that moment on real timers; the local runner moves its simulated clock for Seconds and SecondsPath only');
      }
      return;
    case 'Map': {
      for (const [field, why] of Object.entries(MAP_FIELDS)) if (state[field] !== undefined) throw new UnsupportedConstruct(field, name, why);
      const config = (state.ItemProcessor as { ProcessorConfig?: { Mode?: unknown; ExecutionType?: unknown } } | undefined)?.ProcessorConfig;
      if (config?.Mode !== undefined && config.Mode !== 'INLINE') throw new UnsupportedConstruct(`ProcessorConfig.Mode ${JSON.stringify(config.Mode)}`, name, DISTRIBUTED);
      if (config?.ExecutionType !== undefined) throw new UnsupportedConstruct('ProcessorConfig.ExecutionType', name, DISTRIBUTED);
      return;
    }
    default:
      return;
  }
}

const REDRIVE_API = 'RedriveExecution API reference: "For workflows that include an Inline Map or Parallel state, RedriveExecution API action reschedules and redrives only the iterations and branches that failed or aborted" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html)';

/**
 * Throws {@link UnsupportedConstruct} for the first state the local runner could run but not redrive as
 * AWS does. The runner redrives every failed execution it is asked to (`slipway local run --redrive`,
 * RedriveExecution at `slipway local serve`), so what it cannot redrive is refused when it loads the
 * definition, before any run, not when a redrive is asked for (lib/local/definitions.ts). The engine
 * alone (`npm run conformance`, which never redrives) still runs these states on their first attempt,
 * as recorded on AWS (fixtures 05, 07e, 11-12c).
 *
 * * A Parallel state: AWS redrives only its branches that failed or aborted and keeps the outputs of
 *   the others ({@link REDRIVE_API}); the runner's history model does not tell branches apart, so it
 *   would run every branch again.
 * * A Map state with a Catch or a Retry: the runner redrives an inline Map's unsuccessful iterations as
 *   AWS documents, but no AWS recording or document shows what the Map's Catch or Retry does when a
 *   redriven iteration fails again (whether a Retry runs every iteration again, as it does on the first
 *   attempt, or only the redriven ones); no recorded redrive exists at all (test/fixtures/aws-histories/README.md).
 */
export function refuseUnredrivable(def: { readonly States: unknown }): void {
  visitRedrivable(def.States as AslStates);
}

function visitRedrivable(states: AslStates): void {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Parallel') throw new UnsupportedConstruct('a Parallel state', name, `the local runner cannot redrive it as AWS does (${REDRIVE_API}): it would run every branch again`);
    if (state.Type === 'Map') {
      for (const field of ['Catch', 'Retry'] as const) {
        if (state[field] !== undefined) throw new UnsupportedConstruct(`${field} on a Map state`, name, `the local runner redrives a Map's failed iterations (${REDRIVE_API}), but neither a document nor a recording of AWS shows what the Map's ${field} does when a redriven iteration fails again; handle the error inside the iteration`);
      }
    }
    const processor = (state.ItemProcessor ?? state.Iterator) as { States?: AslStates } | undefined;
    if (processor?.States) visitRedrivable(processor.States);
    for (const branch of (state.Branches as { States: AslStates }[] | undefined) ?? []) visitRedrivable(branch.States);
  }
}
