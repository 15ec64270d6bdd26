import * as z from 'zod/mini';
import { formatZodIssues } from '../../domain/zod-issues';
import { InvalidRequest } from './errors';
import { identifierProblem } from '../../domain/database';
import type { DatabaseManager } from './manager';

/**
 * The `AppDatabase` custom resource, as the CDK provider framework hands it to the manager
 * (`onEvent`): create makes the database and role, update keeps them (re-checking, idempotently), delete
 * drops them only when the resource's removal policy is `destroy`.
 */

const properties = z.object({
  Database: z.string(),
  Owner: z.optional(z.string()),
  // CloudFormation passes every property as a string.
  IamAuth: z._default(z.enum(['true', 'false']), 'true'),
  RemovalPolicy: z._default(z.enum(['retain', 'destroy']), 'retain'),
});

/** A provider-framework event (only the fields the manager reads). */
export interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

/** Whether an event comes from the provider framework rather than from a person or a pipeline. */
export function isCustomResourceEvent(event: unknown): event is CustomResourceEvent {
  return typeof event === 'object' && event !== null && 'RequestType' in event && 'ResourceProperties' in event;
}

/** What the provider framework expects back. */
export interface CustomResourceResponse {
  PhysicalResourceId: string;
  Data: Record<string, string>;
}

/** Handles one custom-resource event with the manager's actions. */
export async function handleCustomResource(manager: DatabaseManager, event: CustomResourceEvent): Promise<CustomResourceResponse> {
  const parsed = properties.safeParse(event.ResourceProperties);
  if (!parsed.success) throw new InvalidRequest(`AppDatabase properties: ${formatZodIssues(parsed.error.issues)}`);
  const props = parsed.data;
  const owner = props.Owner ?? props.Database;

  if (event.RequestType === 'Delete') {
    const physical = event.PhysicalResourceId ?? '';
    // A failed create leaves a physical id that is not a database name: nothing was made, nothing to drop.
    if (props.RemovalPolicy === 'destroy' && identifierProblem(physical, 'database') === undefined) {
      await manager.handle({ action: 'dropDatabase', database: physical, dropOwner: true, owner });
    }
    return { PhysicalResourceId: physical, Data: {} };
  }

  // Create, or Update: an update re-checks (idempotent); a new name creates a new database, and
  // CloudFormation then deletes the old resource (dropped only under RemovalPolicy destroy).
  await manager.handle({ action: 'createDatabase', database: props.Database, owner, iamAuth: props.IamAuth === 'true' });
  return { PhysicalResourceId: props.Database, Data: { Database: props.Database, Owner: owner } };
}
