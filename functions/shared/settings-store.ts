import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { appParameterPath, settingsParameterName } from '../../domain/names';
import { awsCall, isAwsError, SettingsNotFound } from './errors';
import { cachedRead, PARAMETER_CACHE_SECONDS } from './parameter-cache';
import { readAppSettings, type AppSettings } from '../../domain/settings';

/** The name of an app's settings parameter: `/<prefix>/apps/<app>/settings`. */
export function appSettingsParameter(prefix: string, app: string): string {
  return settingsParameterName(appParameterPath(prefix, app));
}

/**
 * Parses and validates the JSON of an app's settings parameter.
 * @throws SettingsNotFound naming the parameter and what is wrong (not JSON, a field, another app's settings).
 */
export function parseAppSettings(raw: string, parameter: string, app: string): AppSettings {
  const read = readAppSettings(raw, app);
  if (read.ok) return read.settings;
  switch (read.problem) {
    case 'not-json':
      throw new SettingsNotFound(`the app's settings parameter ${parameter} is not JSON: redeploy the app stack of ${app} (cdk deploy) to rewrite it`);
    case 'invalid':
      throw new SettingsNotFound(`the app's settings parameter ${parameter} is invalid at ${read.at}: ${read.message}; redeploy the app stack of ${app} with this version of Slipway`);
    case 'other-app':
      throw new SettingsNotFound(`the settings parameter ${parameter} holds the settings of app "${read.app}", not "${app}": redeploy the app stack of ${app}`);
  }
}

/**
 * Reads and validates an app's settings from its parameter (`/<prefix>/apps/<app>/settings`, a String
 * parameter the app stack writes): the app's entry in the shared control plane (its table, cluster,
 * processes, ...). Settings read and accepted are reused for {@link PARAMETER_CACHE_SECONDS} by the same
 * function instance (./parameter-cache.ts): a change of the app stack is seen within that bound, at once
 * with `fresh` (work that the change of the settings parameter started).
 * @throws SettingsNotFound when the parameter is missing, not JSON or invalid (the message names it and
 * says what to do; a redrive after the app stack is deployed reads it again: a refusal is not cached).
 */
export async function getAppSettings(client: SSMClient, prefix: string, app: string, fresh = false): Promise<AppSettings> {
  const parameter = appSettingsParameter(prefix, app);
  // A copy each time: a handler that changed the settings it got must not change the cached ones.
  return structuredClone(await cachedRead(parameter, () => readSettings(client, parameter, prefix, app), fresh));
}

async function readSettings(client: SSMClient, parameter: string, prefix: string, app: string): Promise<AppSettings> {
  let raw: string | undefined;
  try {
    const out = await awsCall(`SSM GetParameter ${parameter}`, () => client.send(new GetParameterCommand({ Name: parameter })));
    raw = out.Parameter?.Value;
  } catch (e) {
    if (!isAwsError(e, 'ParameterNotFound')) throw e;
  }
  if (raw === undefined) {
    throw new SettingsNotFound(
      `app "${app}" has no settings parameter ${parameter}: deploy its app stack (cdk deploy) first, or check the prefix "${prefix}"; then redrive this execution`,
    );
  }
  return parseAppSettings(raw, parameter, app);
}
