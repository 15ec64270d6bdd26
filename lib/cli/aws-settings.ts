import { escapeForTerminal } from '../ops/terminal';

/**
 * The AWS settings every command that calls AWS reads from the environment, checked before the first
 * call, so that a typo is a usage error naming the variable instead of an SDK error about something else
 * (`TypeError: Invalid URL`, `NoRegion` for a region with a trailing newline).
 */

/** Region codes: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-4, ... */
export const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** A region setting that is not a region code. Exit 2. */
export class InvalidRegion extends Error {
  public override readonly name = 'InvalidRegion';
}

/** An endpoint setting that is not an http(s) URL. Exit 2. */
export class InvalidEndpoint extends Error {
  public override readonly name = 'InvalidEndpoint';
}

const shown = (value: string): string => escapeForTerminal(JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value));

/**
 * Checks AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL and every AWS_ENDPOINT_URL_<SERVICE>
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html: a URL with a scheme).
 * @throws InvalidRegion or InvalidEndpoint naming the variable and showing its value escaped.
 */
export function checkAwsEnvironment(env: NodeJS.ProcessEnv): void {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env[name];
    if (value !== undefined && value !== '' && !REGION_CODE.test(value)) {
      throw new InvalidRegion(`${name}=${shown(value)} is not an AWS region code (e.g. eu-west-1, us-east-1): set it to one${/\s/.test(value) ? ' without spaces or newlines' : ''}, or pass --region`);
    }
  }
  for (const name of Object.keys(env).filter((k) => k === 'AWS_ENDPOINT_URL' || k.startsWith('AWS_ENDPOINT_URL_')).sort()) {
    const value = env[name] as string;
    if (value === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      throw new InvalidEndpoint(`${name}=${shown(value)} is not an endpoint URL: set it to a URL with http:// or https:// and a host (e.g. http://localhost:4566), or unset it to use AWS`);
    }
  }
}
