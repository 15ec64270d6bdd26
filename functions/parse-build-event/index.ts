import { dynamodb } from '../shared/aws/dynamodb';
import { getStringFromEnv } from '../shared/errors';
import { createLogger } from '../shared/logger';
import { getAppSettings } from '../shared/settings-store';
import { parseBuildEvent, type ParsedBuildEvent } from './parse';

const logger = createLogger('parse-build-event');

/**
 * First state of the build pipeline: turns the CodeBuild event into a typed build record and a
 * decision (deploy, record, ignore), or `{ ok: false, error: "InvalidEvent" }` for a malformed event.
 */
export async function handler(event: unknown): Promise<ParsedBuildEvent> {
  const settings = await getAppSettings(dynamodb, getStringFromEnv('TABLE_NAME'));
  const result = parseBuildEvent(event, settings);
  logger.info('build event parsed', { result });
  return result;
}
