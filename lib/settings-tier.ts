import { Token } from 'aws-cdk-lib';
import type { AppSettingsInput } from '../domain/settings';

/*
 * The Parameter Store tier of an app's settings parameter (`/<prefix>/apps/<app>/settings`). Apart from
 * lib/app-settings.ts because it needs aws-cdk-lib's Token at run time, and the CLI imports
 * lib/app-settings.ts (its bundle must not carry the CDK).
 */

/** Parameter Store's standard tier holds values up to 4 KB; the advanced tier 8 KB, for $0.05 a month per parameter. */
export const STANDARD_PARAMETER_MAX_BYTES = 4096;
export const ADVANCED_PARAMETER_MAX_BYTES = 8192;

/**
 * How long a token (an ARN, an ID, a URI CloudFormation fills in at deploy time) may be at most, for the
 * size estimate: an IAM role ARN is 31 + 64 characters, a target group ARN about 100, an ECR URI about 90.
 */
export const TOKEN_LENGTH_ESTIMATE = 128;

/**
 * The size in bytes of the settings JSON, with every unresolved token counted as
 * {@link TOKEN_LENGTH_ESTIMATE} characters (an upper bound of what CloudFormation puts there).
 */
export function settingsSizeEstimate(settings: AppSettingsInput): number {
  const json = JSON.stringify(settings, (_key, value: unknown) => (typeof value === 'string' && Token.isUnresolved(value) ? 'x'.repeat(TOKEN_LENGTH_ESTIMATE) : value));
  return Buffer.byteLength(json, 'utf8');
}

/**
 * The Parameter Store tier for the settings: standard (free) while the estimate fits in 4 KB, advanced
 * above. @throws Error when even the advanced tier's 8 KB would not hold them.
 */
export function settingsTier(app: string, settings: AppSettingsInput): 'Standard' | 'Advanced' {
  const size = settingsSizeEstimate(settings);
  if (size <= STANDARD_PARAMETER_MAX_BYTES) return 'Standard';
  if (size <= ADVANCED_PARAMETER_MAX_BYTES) return 'Advanced';
  throw new Error(`app "${app}": its settings would take up to ${size} bytes, more than Parameter Store's ${ADVANCED_PARAMETER_MAX_BYTES}: fewer process types, or shorter commands`);
}
