import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { rdsData, secretsManager } from './clients';
import { driverFromEnv, passwordStoreFromEnv } from './environment';
import { handleCustomResource, isCustomResourceEvent, type CustomResourceResponse } from './custom-resource';
import { DatabaseManagerError } from './errors';
import type { ManagerResult } from '../../domain/database';
import { DatabaseManager } from './manager';

/**
 * The database manager Lambda: `{ "action": "createDatabase" | "dropDatabase" | "enableIamAuth" |
 * "runSql", ... }` in, a JSON result that says what it did out; named errors (InvalidIdentifier,
 * UnknownAction, DatabaseInUse, ...) otherwise. It also serves the `AppDatabase` custom resource.
 */

const logger = createLogger('slipway-database-manager');

let manager: DatabaseManager | undefined;

/** The manager for this Lambda instance; its driver keeps the admin connection warm between invocations. */
export function getManager(env: NodeJS.ProcessEnv = process.env): DatabaseManager {
  manager ??= new DatabaseManager({ driver: driverFromEnv(env, { secrets: secretsManager, rdsData }), passwords: passwordStoreFromEnv(env, secretsManager) });
  return manager;
}

/** Lambda entry point. */
export async function handler(event: unknown, context?: LambdaContext): Promise<ManagerResult | CustomResourceResponse> {
  addLambdaContext(context);
  const action = isCustomResourceEvent(event) ? `custom resource ${event.RequestType}` : (event as { action?: unknown } | null)?.action;
  try {
    const result = isCustomResourceEvent(event) ? await handleCustomResource(getManager(), event) : await getManager().handle(event);
    logger.info('done', { action, ...('message' in result ? { message: result.message } : { physicalResourceId: result.PhysicalResourceId }) });
    return result;
  } catch (e) {
    if (e instanceof DatabaseManagerError) {
      logger.warn('refused or failed', { action, error: e.name, message: e.message });
      throw e;
    }
    logger.error('unexpected error', { action, error: e as Error });
    const wrapped = new DatabaseManagerError(`unexpected error: ${(e as Error)?.message ?? String(e)}`);
    throw wrapped;
  }
}
