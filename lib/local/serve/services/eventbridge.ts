import * as ebSdk from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { checkPutEvents, type PutEventsEntry } from '../../aws-limits';
import { sdkOperations, type ServiceModel } from '../model';

/** One PutEvents entry's result: its event id, or why it failed. */
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * Why EventBridge fails one PutEvents entry, or undefined. Entry-level errors (EventBridge API
 * reference, PutEventsResultEntry `ErrorCode`): InvalidArgument for a missing Source, DetailType or
 * Detail; MalformedDetail when Detail is not a JSON object; NotAuthorizedForSourceException ("You do not
 * have permissions to publish events with this source onto this event bus") for a source in the `aws.`
 * namespace, which only AWS services publish (EventBridge User Guide, "Events from AWS services").
 */
export function entryProblem(entry: Record<string, unknown>): { ErrorCode: string; ErrorMessage: string } | undefined {
  const { Source, DetailType, Detail, EventBusName } = entry;
  if (typeof Source !== 'string' || Source === '') return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' };
  if (typeof DetailType !== 'string' || DetailType === '') return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
  if (typeof Detail !== 'string' || Detail === '') return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  if (Source.toLowerCase().startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  if (EventBusName !== undefined && EventBusName !== 'default' && !/:event-bus\/default$/.test(String(EventBusName))) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${String(EventBusName)} does not exist.` };
  }
  return undefined;
}

/**
 * EventBridge (awsJson1_1, `AWSEvents.<Operation>`): PutEvents from a client onto the simulated default
 * bus, held to AWS's request checks (1-10 entries, under 256 KB: ValidationException) and entry checks
 * ({@link entryProblem}); accepted events are recorded on the bus beside the pipelines' own.
 */
export const eventBridgeService: ServiceModel = {
  title: 'EventBridge',
  signingName: 'events',
  protocol: 'awsJson1_1',
  targetPrefix: 'AWSEvents',
  errorNamespace: 'com.amazonaws.eventbridge',
  cors: true,
  awsOperations: () => sdkOperations(ebSdk as unknown as Record<string, unknown>),
  operations: {
    PutEvents: {
      required: ['Entries'],
      members: { Entries: 'list', EndpointId: 'string' },
      run: (input, { account }) => {
        const entries = input.Entries as Record<string, unknown>[];
        checkPutEvents(entries as unknown as PutEventsEntry[]);
        account.run.world.count('PutEvents');
        const bus = account.run.world.eventBus;
        const results: EntryResult[] = entries.map((entry) => {
          const problem = entryProblem(entry ?? {});
          if (problem) return problem;
          const id = randomUUID();
          bus.events.push({
            id,
            at: account.run.world.now,
            time: account.run.world.isoNow(),
            source: String(entry.Source),
            detailType: String(entry.DetailType),
            detail: JSON.parse(String(entry.Detail)) as Record<string, unknown>,
            resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
          });
          return { EventId: id };
        });
        return { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length };
      },
    },
  },
};
