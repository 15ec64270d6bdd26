import { controlPlanePrefix, notServedHere, settingsOf } from '../shared/control-plane-context';
import { appOfProject, APP_NAME_MAX } from '../../domain/names';
import { InvalidEvent } from '../shared/errors';
import { invalidEventResult } from '../shared/events';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { parseBuildEvent, projectOf, type ParsedBuildEvent } from './parse';

const logger = createLogger('parse-build-event');

/**
 * First state of the shared build pipeline: finds the app from the CodeBuild project (`<prefix>-<app>`),
 * reads the app's settings (SettingsNotFound, uncaught: a redrive after the app stack is deployed reads
 * them again) and turns the event into a typed build record and a decision (deploy, record, ignore) with
 * the app and its table, or `{ ok: false, error: "InvalidEvent" }` for a malformed event or a project
 * that is not named `<prefix>-<app>`.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<ParsedBuildEvent> {
  addLambdaContext(context);
  const prefix = controlPlanePrefix();
  const first = projectOf(event);
  if ('result' in first) {
    logger.info('build event parsed', { result: first.result });
    return first.result;
  }
  const app = appOfProject(prefix, first.project);
  if (!app) {
    const result: ParsedBuildEvent = invalidEventResult(
      new InvalidEvent(
        `CodeBuild project "${first.project.slice(0, 255)}" is not named ${prefix}-<app> (an app name: lowercase letters, digits and hyphens, starting with a letter, at most ${APP_NAME_MAX} characters): it is not a Slipway app's project`,
      ),
    );
    logger.info('build event parsed', { result });
    return result;
  }
  const settings = await settingsOf(app);
  const elsewhere = notServedHere(settings);
  const result: ParsedBuildEvent = elsewhere ? { ok: true, action: 'ignore', reason: elsewhere } : parseBuildEvent(event, settings);
  logger.info('build event parsed', { result });
  return result;
}
