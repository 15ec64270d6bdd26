import { PutEventsCommand, type EventBridgeClient, type PutEventsCommandInput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { checkPutEvents, type PutEventsEntry } from '../aws-limits';
import { matchesEventPattern, type EventPattern } from '../event-patterns';
import { InjectedAwsError, SimulatedAwsError } from '../aws-error';
import type { SimulatedAccount } from './simulated-account';

/** An event put on the simulated default event bus. */
export interface EmittedEvent {
  readonly id: string;
  /** Simulated seconds since the run started. */
  readonly at: number;
  readonly time: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** The execution that sent it (the optimized integration appends its ARN). */
  readonly resources: string[];
}

/** A rule on the default bus: the events its pattern matches go to its target. */
interface Rule<E> {
  readonly pattern: EventPattern;
  readonly target: (event: E) => Promise<unknown>;
}

/**
 * Simulated Amazon EventBridge, the default event bus: the events the pipelines put on it (the
 * `events:putEvents` integration and PutEvents from a handler), and rules that deliver AWS services'
 * events (pattern matching in lib/local/eventbridge.ts) to their targets.
 */
export class SimulatedEventBus {
  /** Events the pipelines put on the default event bus, in order. */
  readonly events: EmittedEvent[] = [];
  /** Rule targets that failed (EventBridge would retry them, then drop the event). */
  readonly targetFailures: { event: string; error: string; message: string }[] = [];
  private readonly rules: Rule<never>[] = [];

  constructor(private readonly account: SimulatedAccount) {}

  /** Adds a rule on the default bus delivering the events `pattern` matches to `target`. */
  addRule<E>(pattern: EventPattern, target: (event: E) => Promise<unknown>): void {
    this.rules.push({ pattern, target } as Rule<never>);
  }

  /**
   * Delivers an event to each rule it matches: `run` is handed each delivery (the target called with a
   * copy of the event; a failure is noted in `targetFailures`) and runs it as a Lambda target would,
   * beside whatever else runs (delivery is best effort, at least once, in no guaranteed order).
   */
  deliver<E extends { id: string }>(event: E, run: (delivery: () => Promise<void>) => void): void {
    for (const rule of this.rules as Rule<E>[]) {
      if (!matchesEventPattern(rule.pattern, event)) continue;
      run(() =>
        rule.target(structuredClone(event)).then(
          () => undefined,
          (e: unknown) => {
            this.targetFailures.push({ event: event.id, error: (e as Error).name, message: (e as Error).message });
          },
        ),
      );
    }
  }

  /**
   * EventBridge PutEvents on the default bus, as the Step Functions optimized integration calls it: each
   * entry needs a Source, a DetailType and a JSON-object Detail. The integration fails the Task with
   * EventBridge.FailedEntry when an entry fails (here: throttled, or malformed).
   */
  putEvents(entries: unknown, execution: string): { Entries: { EventId: string }[]; FailedEntryCount: number } {
    try {
      this.account.count('PutEvents');
    } catch (e) {
      if (e instanceof InjectedAwsError) throw new SimulatedAwsError(`EventBridge.${e.name}`, e.message);
      throw new SimulatedAwsError('EventBridge.FailedEntry', `1 of ${Array.isArray(entries) ? entries.length : 1} entries failed: ThrottlingException: ${(e as Error).message}`);
    }
    if (!Array.isArray(entries)) throw new SimulatedAwsError('EventBridge.ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must not be null');
    // The optimized integration adds the execution's ARN to each entry's Resources (counted in its size).
    const sent = (entries as Record<string, unknown>[]).map((e) => ({ ...e, Resources: [...(Array.isArray(e.Resources) ? e.Resources : []), execution] }));
    try {
      checkPutEvents(sent as PutEventsEntry[]);
    } catch (e) {
      // Step Functions names a service's errors `<Service>.<ErrorCode>`.
      throw new SimulatedAwsError(`EventBridge.${(e as Error).name}`, (e as Error).message);
    }
    const out: { EventId: string }[] = [];
    for (const raw of entries as Record<string, unknown>[]) {
      const { Source, DetailType, Detail, EventBusName } = raw;
      if (typeof Source !== 'string' || !Source || Source.startsWith('aws.')) throw new SimulatedAwsError('EventBridge.FailedEntry', `InvalidArgument: Source "${String(Source)}" is missing or reserved for AWS`);
      if (typeof DetailType !== 'string' || !DetailType) throw new SimulatedAwsError('EventBridge.FailedEntry', 'InvalidArgument: DetailType is missing');
      if (Detail === null || typeof Detail !== 'object' || Array.isArray(Detail)) throw new SimulatedAwsError('EventBridge.FailedEntry', 'MalformedDetail: Detail must be a JSON object');
      if (EventBusName !== undefined && EventBusName !== 'default') throw new SimulatedAwsError('EventBridge.FailedEntry', `ResourceNotFoundException: event bus ${String(EventBusName)} is not simulated`);
      const id = `local-event-${this.events.length + 1}`;
      this.events.push({ id, at: this.account.clock.now, time: this.account.clock.isoNow(), source: Source, detailType: DetailType, detail: structuredClone(Detail) as Record<string, unknown>, resources: [execution] });
      out.push({ EventId: id });
    }
    return { Entries: out, FailedEntryCount: 0 };
  }

  /** aws-sdk-client-mock handlers on `client` (the handlers' EventBridge client) answering from this bus. */
  mock(client: EventBridgeClient): { restore: () => void } {
    const ebMock = mockClient(client);
    // PutEvents from a handler (execution-status's milestones): the SDK sends Detail as a JSON string.
    ebMock.on(PutEventsCommand).callsFake(async (input: PutEventsCommandInput) => {
      const entries = (input.Entries ?? []).map((e: PutEventsRequestEntry) => {
        let detail: unknown = e.Detail;
        try {
          detail = JSON.parse(e.Detail ?? '');
        } catch {
          /* left as is: putEvents refuses a Detail that is not a JSON object */
        }
        return { Source: e.Source, DetailType: e.DetailType, Detail: detail, EventBusName: e.EventBusName };
      });
      return this.putEvents(entries, input.Entries?.[0]?.Resources?.[0] ?? '');
    });
    return ebMock;
  }
}
