import { judgeSchema, stopSchema } from '../../functions/check-release-task/index';
import { stateChangeSchema } from '../../functions/parse-build-event/parse';
import { eventSchema as parameterChangeSchema } from '../../functions/parse-parameter-change/index';
import { inputSchema as registerConfigSchema, runningSchema } from '../../functions/register-config-revisions/index';
import { inputSchema as registerTaskDefinitionsSchema } from '../../functions/register-task-definitions/index';
import { inputSchema as syncSchedulesSchema } from '../../functions/sync-schedules/index';
import { checkDeployInputSchema } from '../../functions/update-service/check-deploy';
import { recordReleaseInputSchema } from '../../functions/update-service/record-release';
import { inputSchema as updateServiceSchema } from '../../functions/update-service/index';
import type { HandlerSide } from './asl-contract';

/** Each Lambda task's handler side: `<machine> / <state>` -> the schema its handler parses the payload with. */
export const CONTRACT: Record<string, HandlerSide> = {
  'build / Read the build event': { handler: 'parse-build-event', schema: stateChangeSchema, source: { file: 'functions/parse-build-event/parse.ts', variable: 'stateChangeSchema' } },
  'build / Register task definitions': { handler: 'register-task-definitions', schema: registerTaskDefinitionsSchema, source: { file: 'functions/register-task-definitions/index.ts', variable: 'inputSchema' } },
  'release / Judge the release task': { handler: 'check-release-task', schema: judgeSchema, source: { file: 'functions/check-release-task/index.ts', variable: 'judgeSchema' } },
  'release / Stop on the failed release': { handler: 'check-release-task', schema: stopSchema, source: { file: 'functions/check-release-task/index.ts', variable: 'stopSchema' } },
  "deploy / Check the build against the app's records": { handler: 'update-service (checkDeploy)', schema: checkDeployInputSchema, source: { file: 'functions/update-service/check-deploy.ts', variable: 'checkDeployInputSchema' } },
  'deploy / Number the release': { handler: 'update-service (recordRelease)', schema: recordReleaseInputSchema, source: { file: 'functions/update-service/record-release.ts', variable: 'recordReleaseInputSchema' } },
  'deploy / Update the service and wait for its deployment': { handler: 'update-service', schema: updateServiceSchema, source: { file: 'functions/update-service/index.ts', variable: 'inputSchema' } },
  'config-change / Read the parameter change': { handler: 'parse-parameter-change', schema: parameterChangeSchema, source: { file: 'functions/parse-parameter-change/index.ts', variable: 'eventSchema' } },
  'config-change / Look for a running deploy or release of the app': { handler: 'register-config-revisions (findRunningPipelines)', schema: runningSchema, source: { file: 'functions/register-config-revisions/index.ts', variable: 'runningSchema' } },
  'config-change / Register revisions with the current config': { handler: 'register-config-revisions', schema: registerConfigSchema, source: { file: 'functions/register-config-revisions/index.ts', variable: 'inputSchema' } },
  'schedules / Sync the schedules': { handler: 'sync-schedules', schema: syncSchedulesSchema, source: { file: 'functions/sync-schedules/index.ts', variable: 'inputSchema' } },
};
