import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type DescribeExecutionCommandOutput,
  type GetExecutionHistoryCommandInput,
  type GetExecutionHistoryCommandOutput,
  type HistoryEvent,
  type ListExecutionsCommandInput,
  type ListExecutionsCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { EXECUTION_HISTORY_LIMIT, REDRIVE_WINDOW_DAYS } from '../../../domain/executions';
import { mockClient } from 'aws-sdk-client-mock';
import { STATE_MACHINES, type StateMachineName } from '../../../domain/pipelines';
import { SimulatedAwsError } from '../aws-error';
import { deterministicUuid, type ExecutionStatusEvent } from '../event-patterns';
import type { SimulatedAccount } from './simulated-account';
import type { JsonValue } from '../../../domain/json';

/**
 * The Step Functions API of the simulated account, over the executions a local run holds: ListExecutions,
 * DescribeExecution, GetExecutionHistory, the task tokens of SendTaskSuccess/SendTaskFailure, the checks of
 * StartExecution and RedriveExecution, the `aws-sdk:sfn:listExecutions` integration, and the "Step
 * Functions Execution Status Change" events. Running the executions is lib/local/runner.ts's job.
 */

/** How long Step Functions keeps an execution's name after it closed (StartExecution `name`: 90 days). */
export const NAME_REUSE_SECONDS = 90 * 24 * 3600;


/** One state an execution entered, as the console's graph view shows it. */
export interface StateVisit {
  readonly name: string;
  readonly type: string;
  /** Process type of the Map iteration the state ran in. */
  readonly iteration?: string;
  /** Simulated seconds since the run started. */
  readonly at: number;
  status: 'entered' | 'succeeded' | 'failed' | 'caught';
  retries: number;
  error?: string;
  cause?: string;
}

/** One execution of a state machine. */
export interface ExecutionReport {
  readonly stateMachine: StateMachineName;
  readonly name: string;
  readonly arn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  redriveCount: number;
  /** Simulated seconds of the last redrive. */
  redriveDate?: number;
  readonly startedAt: number;
  endedAt?: number;
  /** The states as the console's graph view lists them (a summary of `history`). */
  states: StateVisit[];
  /** The execution input. */
  readonly input: JsonValue;
  output?: JsonValue;
  /** Every event of every attempt, in the shape of GetExecutionHistory's `events`. */
  readonly history: HistoryEvent[];
}

/**
 * Why Step Functions refuses an execution name, or undefined (StartExecution API reference, `name`:
 * 1-80 characters; no white space, brackets `< > { } [ ]`, wildcards `? *`, special characters
 * `" # % \ ^ | ~ \` $ & , ; : /`, or control characters U+0000-001F, U+007F-009F).
 */
export function executionNameProblem(name: string): string | undefined {
  const length = [...name].length;
  if (length < 1 || length > 80) return `${length} characters; the limit is 1-80`;
  const bad = [...name].find((c) => /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u.test(c) || /[\u0000-\u001f\u007f-\u009f]/u.test(c));
  return bad === undefined ? undefined : `it contains ${JSON.stringify(bad)}, which execution names may not`;
}

/**
 * Why RedriveExecution refuses an execution, or undefined: also DescribeExecution's `redriveStatusReason`.
 * Recorded reasons (fixtures' README): "Execution is RUNNING and cannot be redriven", "Execution is
 * SUCCEEDED and cannot be redriven". The API reference (RedriveExecution) also refuses past 1,000 redrives
 * and histories over 24,999 events; DescribeExecution's reference lists "Execution history event limit
 * exceeded." and "Execution redrivable period exceeded." among its reasons.
 */
export function redriveRefusal(exec: Pick<ExecutionReport, 'status' | 'redriveCount' | 'history' | 'endedAt'>, now?: number): string | undefined {
  if (exec.status === 'RUNNING' || exec.status === 'SUCCEEDED') return `Execution is ${exec.status} and cannot be redriven`;
  if (exec.redriveCount >= 1000) return 'Execution has been redriven 1000 times and cannot be redriven again';
  // DescribeExecution's documented redriveStatusReason for it (API reference, redriveStatusReason).
  if (exec.history.length > EXECUTION_HISTORY_LIMIT - 1) return 'Execution history event limit exceeded.';
  // "The redrivable period for the execution hasn't exceeded 14 days ... This period starts from the day a
  // state machine completes its execution" (RedriveExecution, API Reference); DescribeExecution's reason
  // for it is "Execution redrivable period exceeded." (DescribeExecution, redriveStatusReason).
  if (now !== undefined && exec.endedAt !== undefined && now - exec.endedAt > REDRIVABLE_PERIOD_SECONDS) return 'Execution redrivable period exceeded.';
  return undefined;
}

/** How long after it closed an execution can be redriven: 14 days (RedriveExecution, API Reference). */
export const REDRIVABLE_PERIOD_SECONDS = REDRIVE_WINDOW_DAYS * 86_400;

/** A task token handed to a `.waitForTaskToken` Task, until it is settled or its state ends. */
export interface PendingToken {
  settled: boolean;
  closed: boolean;
  result?: { ok: true; output: string } | { ok: false; error: string; cause: string };
}

/** Step Functions' answers about the executions of a local run. */
export class SimulatedStepFunctions {
  /** Every "Step Functions Execution Status Change" event the simulated account emitted, in order. */
  readonly statusEvents: ExecutionStatusEvent[] = [];
  private readonly tokens = new Map<string, PendingToken>();
  private tokenSeq = 0;

  constructor(
    private readonly account: SimulatedAccount,
    /** The run's executions, oldest first. */
    private readonly executions: readonly ExecutionReport[],
    /** Each state machine's ARN. */
    private readonly arns: Readonly<Record<string, string>>,
  ) {}

  /** The state machine an ARN names, if the control plane has it. */
  stateMachineOf(arn: unknown): StateMachineName | undefined {
    return STATE_MACHINES.find((n) => this.arns[n] === arn);
  }

  /** A new task token for a `.waitForTaskToken` Task. */
  newToken(): { token: string; pending: PendingToken } {
    const token = `local-token-${++this.tokenSeq}`;
    const pending: PendingToken = { settled: false, closed: false };
    this.tokens.set(token, pending);
    return { token, pending };
  }

  /** Whether a Task still waits on a task token. */
  hasOpenTokens(): boolean {
    return [...this.tokens.values()].some((t) => !t.settled && !t.closed);
  }

  /** SendTaskSuccess / SendTaskFailure: settles a task token (TaskDoesNotExist, TaskTimedOut once closed). */
  settleToken(token: string, result: PendingToken['result']): Record<string, never> {
    const t = this.tokens.get(token);
    if (!t) throw new SimulatedAwsError('TaskDoesNotExist', `Task token ${token} does not exist`);
    if (t.settled || t.closed) throw new SimulatedAwsError('TaskTimedOut', `Task ${token} is already closed`);
    t.settled = true;
    t.result = result;
    return {};
  }

  findExecution(arn: string): ExecutionReport {
    // The newest of that ARN: a name closed more than 90 days ago may have been used again (startCheck).
    const exec = this.executions.findLast((e) => e.arn === arn);
    if (!exec) throw new SimulatedAwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  }

  /**
   * Whether StartExecution may use `name` on state machine `sm` with `input` (Step Functions API reference,
   * StartExecution, `name`: "An execution can't use the name of another execution for 90 days. When you make
   * multiple StartExecution calls with the same name, the new execution doesn't run and the following rules
   * apply: When the original execution is open and the execution input from the new call is different, the
   * ExecutionAlreadyExists message is returned. When the original execution is open and the execution input
   * from the new call is identical, the Success message is returned. When the original execution is closed,
   * the ExecutionAlreadyExists message is returned regardless of input."): `start` (the name is free, or
   * the last execution of that name closed 90 days ago or more), `same` (that running execution, the same
   * input: its start is the answer) or `taken` (ExecutionAlreadyExists). Whose app an execution is for,
   * or which state machine it is, changes nothing.
   */
  startCheck(sm: StateMachineName, name: string, input: unknown): { verdict: 'start' } | { verdict: 'same' | 'taken'; existing: ExecutionReport } {
    const existing = this.executions.findLast((e) => e.stateMachine === sm && e.name === name);
    if (!existing) return { verdict: 'start' };
    if (existing.status !== 'RUNNING' && existing.endedAt !== undefined && this.account.clock.now - existing.endedAt >= NAME_REUSE_SECONDS) return { verdict: 'start' };
    if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(input)) return { verdict: 'same', existing };
    return { verdict: 'taken', existing };
  }

  /**
   * The `arn:aws:states:::aws-sdk:sfn:describeExecution` integration: DescribeExecution's answer with the
   * field names capitalized, as AWS SDK integrations return them (Step Functions Developer Guide, "Integrating
   * other services" / AWS SDK integrations: "the response ... field names are capitalized"), dates as ISO
   * strings; its errors prefixed `Sfn.` with the SDK's exception name.
   */
  describeExecutionTask(params: Record<string, unknown>): unknown {
    let out: Partial<DescribeExecutionCommandOutput>;
    try {
      this.account.count('DescribeExecution');
      out = this.describeExecution(String(params.ExecutionArn));
    } catch (e) {
      const name = (e as Error).name;
      throw new SimulatedAwsError(`Sfn.${name.endsWith('Exception') ? name : `${name}Exception`}`, (e as Error).message);
    }
    const iso = (d?: Date) => (d === undefined ? undefined : d.toISOString());
    return Object.fromEntries(
      Object.entries({ ...out, startDate: iso(out.startDate), stopDate: iso(out.stopDate), redriveDate: iso(out.redriveDate) })
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [`${k[0].toUpperCase()}${k.slice(1)}`, v]),
    );
  }

  /** Step Functions GetExecutionHistory: maxResults 1-1000 (default 100), reverseOrder, nextToken. */
  executionHistoryPage(input: GetExecutionHistoryCommandInput): Partial<GetExecutionHistoryCommandOutput> {
    const exec = this.findExecution(input.executionArn ?? '');
    const max = input.maxResults ?? 100;
    if (max < 0 || max > 1000) throw new SimulatedAwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    const events = input.reverseOrder ? [...exec.history].reverse() : exec.history;
    const start = input.nextToken ? Number(input.nextToken) : 0;
    if (!Number.isInteger(start) || start < 0 || start > events.length) throw new SimulatedAwsError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    const size = max === 0 ? 100 : max;
    const page = events.slice(start, start + size).map((e) => structuredClone(e));
    return { events: page, nextToken: start + size < events.length ? String(start + size) : undefined };
  }

  /** Step Functions DescribeExecution of an execution the run knows. */
  describeExecution(arn: string): Partial<DescribeExecutionCommandOutput> {
    const exec = this.findExecution(arn);
    const at = (s?: number) => (s === undefined ? undefined : this.account.clock.dateAt(s));
    const refusal = redriveRefusal(exec, this.account.clock.now);
    return {
      executionArn: exec.arn,
      stateMachineArn: this.arns[exec.stateMachine],
      name: exec.name,
      status: exec.status,
      startDate: at(exec.startedAt),
      stopDate: exec.status === 'RUNNING' ? undefined : at(exec.endedAt),
      input: JSON.stringify(exec.input),
      output: exec.status === 'SUCCEEDED' ? JSON.stringify(exec.output ?? null) : undefined,
      error: exec.error,
      cause: exec.cause,
      redriveCount: exec.redriveCount,
      redriveDate: at(exec.redriveDate),
      // DescribeExecution (API reference): "When redriveStatus is NOT_REDRIVABLE, redriveStatusReason
      // specifies the reason why an execution cannot be redriven"; a REDRIVABLE execution's response has no
      // reason (recorded: LocalStack's test_state_fail snapshot, test/fixtures/aws-histories/README.md). The
      // EventBridge status event does carry one (test/fixtures/aws-events/...-FAILED-2.json), below.
      redriveStatus: refusal ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      ...(refusal ? { redriveStatusReason: refusal } : {}),
    };
  }

  /**
   * Step Functions ListExecutions (API reference): the executions of one state machine, newest first,
   * optionally of one status; maxResults 0-1000 (0: the default, 100) with a nextToken for the next page.
   */
  listExecutions(input: ListExecutionsCommandInput): Partial<ListExecutionsCommandOutput> {
    try {
      this.account.count('ListExecutions');
    } catch (e) {
      throw new SimulatedAwsError((e as Error).name, (e as Error).message);
    }
    const sm = this.stateMachineOf(input.stateMachineArn);
    if (!sm) throw new SimulatedAwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
    const max = input.maxResults ?? 0;
    if (max < 0 || max > 1000) throw new SimulatedAwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    // redriveFilter REDRIVEN / NOT_REDRIVEN: executions redriven at least once, or never (ListExecutions API reference).
    const redriven = (e: ExecutionReport) => !input.redriveFilter || (input.redriveFilter === 'REDRIVEN') === e.redriveCount > 0;
    const all = this.executions.filter((e) => e.stateMachine === sm && (!input.statusFilter || e.status === input.statusFilter) && redriven(e)).reverse();
    const start = input.nextToken ? Number(input.nextToken) : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw new SimulatedAwsError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    const size = max === 0 ? 100 : max;
    const at = (s?: number) => (s === undefined ? undefined : this.account.clock.dateAt(s));
    const page = all.slice(start, start + size).map((e) => ({
      executionArn: e.arn,
      stateMachineArn: this.arns[sm],
      name: e.name,
      status: e.status,
      startDate: at(e.startedAt),
      stopDate: e.status === 'RUNNING' ? undefined : at(e.endedAt),
      redriveCount: e.redriveCount,
      redriveDate: at(e.redriveDate),
    }));
    return { executions: page, nextToken: start + size < all.length ? String(start + size) : undefined };
  }

  /**
   * Step Functions sends an execution's status changes (RUNNING, also after a redrive, then SUCCEEDED,
   * FAILED, TIMED_OUT or ABORTED) to the default bus (Step Functions guide, "Routing Step Functions events
   * using Amazon EventBridge"; delivery is best effort, at least once, in no guaranteed order). The shape
   * is that of the recorded events in test/fixtures/aws-events/stepfunctions-execution-status-change-*.
   * The event is kept in `statusEvents`, then put on the bus.
   */
  statusChangeEvent(exec: ExecutionReport): ExecutionStatusEvent {
    const ms = (s: number | undefined) => (s === undefined ? null : this.account.clock.startMs + s * 1000);
    const ended = exec.status !== 'RUNNING';
    const redrivable = exec.status === 'FAILED' && !redriveRefusal(exec, this.account.clock.now);
    const event: ExecutionStatusEvent = {
      version: '0',
      id: deterministicUuid(`${exec.arn}/${exec.redriveCount}/${exec.status}/${exec.history.length}`),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: this.account.spec.account,
      time: this.account.clock.isoNow().replace(/\.\d{3}Z$/, 'Z'),
      region: this.account.spec.region,
      resources: [exec.arn],
      detail: {
        executionArn: exec.arn,
        stateMachineArn: this.arns[exec.stateMachine],
        name: exec.name,
        status: exec.status,
        startDate: ms(exec.startedAt) as number,
        stopDate: ended ? ms(exec.endedAt) : null,
        input: JSON.stringify(exec.input),
        inputDetails: { included: true },
        output: exec.status === 'SUCCEEDED' ? JSON.stringify(exec.output ?? null) : null,
        outputDetails: exec.status === 'SUCCEEDED' ? { included: true } : null,
        stateMachineVersionArn: null,
        stateMachineAliasArn: null,
        redriveCount: exec.redriveCount,
        redriveDate: ms(exec.redriveDate),
        redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
        redriveStatusReason: redrivable ? `Execution is ${exec.status} and is redrivable` : (redriveRefusal(exec, this.account.clock.now) ?? 'Execution cannot be redriven'),
        ...(exec.status === 'FAILED' ? { error: exec.error ?? null, cause: exec.cause ?? null } : {}),
      },
    };
    this.statusEvents.push(event);
    return event;
  }

  /**
   * The `arn:aws:states:::aws-sdk:sfn:listExecutions` integration (PascalCase): the state machine's
   * executions of one status, at most MaxResults (default 100).
   */
  listExecutionsTask(params: Record<string, unknown>): unknown {
    try {
      this.account.count('ListExecutions');
    } catch (e) {
      throw new SimulatedAwsError('Sfn.ThrottlingException', (e as Error).message);
    }
    const arn = String(params.StateMachineArn);
    const status = params.StatusFilter as string | undefined;
    const max = typeof params.MaxResults === 'number' && params.MaxResults > 0 ? params.MaxResults : 100;
    const list = this.executions.filter((e) => this.arns[e.stateMachine] === arn && (!status || e.status === status)).slice(0, max);
    return { Executions: list.map((e) => ({ ExecutionArn: e.arn, StateMachineArn: arn, Name: e.name, Status: e.status, StartDate: this.account.clock.isoNow() })) };
  }

  /** aws-sdk-client-mock handlers on `client` (the handlers' Step Functions client). */
  mock(client: SFNClient): { restore: () => void } {
    const sfnMock = mockClient(client);
    sfnMock.on(SendTaskSuccessCommand).callsFake(async (input) => this.settleToken(input.taskToken ?? '', { ok: true, output: input.output ?? '{}' }));
    sfnMock.on(GetExecutionHistoryCommand).callsFake(async (input) => this.executionHistoryPage(input));
    sfnMock.on(DescribeExecutionCommand).callsFake(async (input) => this.describeExecution(input.executionArn ?? ''));
    sfnMock.on(ListExecutionsCommand).callsFake(async (input) => this.listExecutions(input));
    sfnMock.on(SendTaskFailureCommand).callsFake(async (input) => this.settleToken(input.taskToken ?? '', { ok: false, error: input.error ?? 'Error', cause: input.cause ?? '' }));
    return sfnMock;
  }
}
