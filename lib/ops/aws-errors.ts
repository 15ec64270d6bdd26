import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

/*
 * The one vocabulary of a failed AWS call for every `slipway` command: the shared names and the one line
 * of what to do ({@link describeAwsError}). lib/ops turns it into its errors (aws.ts awsCallError); the
 * CLI reports any error through it (lib/cli/errors.ts describeError).
 */

/**
 * The names every `slipway` command uses for a failed AWS call, whichever command made it. Each comes
 * with one line of what to do. Anything else keeps the service's own error name.
 */
export const AWS_ERROR_NAMES = ['NoCredentials', 'ProfileNotFound', 'NoRegion', 'AccessDenied', 'CredentialsRejected', 'NotFound', 'Throttled', 'TimedOut', 'CannotReachAws'] as const;

/** One of {@link AWS_ERROR_NAMES}. */
export type AwsErrorName = (typeof AWS_ERROR_NAMES)[number];

/** A failed AWS call under one of the shared names, its message ending in what to do. Exit 1. */
export class AwsError extends Error {
  public constructor(
    public override readonly name: AwsErrorName,
    message: string,
  ) {
    super(message);
  }
}

/** An AWS SDK failure as one line a person can act on. */
export interface AwsErrorLine {
  /** One of {@link AWS_ERROR_NAMES}, or the SDK error's own name. */
  readonly name: string;
  readonly message: string;
}

/** A message on one line: its line breaks and their indentation folded into one space. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/** The profile the SDK will use: AWS_PROFILE (which `--profile` sets), else none named. */
export function namedProfile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = env.AWS_PROFILE?.trim();
  return name ? name : undefined;
}

/**
 * Whether a profile is defined in the shared config or credentials file. In the config file a named
 * profile is the section `[profile NAME]` (and the default one `[default]`); in the credentials file it
 * is `[NAME]`. The files are `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, by default
 * `~/.aws/config` and `~/.aws/credentials`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html).
 */
export function profileExists(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const home = env.HOME || homedir();
  const files: [string, (section: string) => boolean][] = [
    [env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'), (s) => s === `profile ${name}` || (name === 'default' && s === 'default')],
    [env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'), (s) => s === name],
  ];
  return files.some(([file, matches]) => {
    if (!existsSync(file)) return false;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    return text.split(/\r?\n/).some((line) => {
      const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
      return m !== null && matches(m[1].replace(/\s+/g, ' '));
    });
  });
}

/**
 * Says what went wrong with an AWS call and what to do about it, in one line, under one of
 * {@link AWS_ERROR_NAMES}; anything else keeps the service's own name and message. `what` names the call
 * ("Step Functions DescribeExecution <arn>"). Every `slipway` command that talks to AWS reports its
 * errors through this.
 */
export function describeAwsError(error: unknown, what?: string, env: NodeJS.ProcessEnv = process.env): AwsErrorLine {
  const e = error as (Error & { $metadata?: { httpStatusCode?: number }; code?: string }) | undefined;
  const name = e?.name || 'Error';
  const message = oneLine(String(e?.message ?? error));
  const forWhat = what ? ` for ${what}` : '';
  // Ours already (AwsError, NotFound, the CLI's TimedOut): a service's error always carries $metadata.
  if (e instanceof AwsError || ((AWS_ERROR_NAMES as readonly string[]).includes(name) && !e?.$metadata)) return { name, message };
  const credentialsMissing = name === 'CredentialsProviderError' || (/Could not load credentials|Could not resolve credentials/i.test(message) && !e?.$metadata);
  if (credentialsMissing) {
    const profile = namedProfile(env);
    if (profile && !profileExists(profile, env)) {
      return { name: 'ProfileNotFound', message: `AWS profile "${profile}" is not defined in ~/.aws/config or ~/.aws/credentials: check its name (aws configure list-profiles), or pass --profile with another` };
    }
    if (/SSO|token/i.test(message) && /expired|refresh/i.test(message)) {
      return { name: 'CredentialsRejected', message: `the SSO session${profile ? ` of profile "${profile}"` : ''} has expired${forWhat}: run \`aws sso login${profile ? ` --profile ${profile}` : ''}\` and try again` };
    }
    return { name: 'NoCredentials', message: `no AWS credentials${forWhat}${profile ? ` in profile "${profile}"` : ''}: pass --profile (or set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run \`aws sso login\`` };
  }
  // An endpoint that answers something other than AWS's protocol (an HTML page: a proxy, a captive
  // portal, a web server at AWS_ENDPOINT_URL): the SDK's parse error, which points at a hidden field.
  if (e?.$metadata && (name === 'SyntaxError' || /Deserialization error/i.test(message))) {
    const status = e.$metadata.httpStatusCode;
    return {
      name: 'UnexpectedResponse',
      message: `the endpoint${forWhat} answered something that is not an AWS response${status ? ` (HTTP ${status})` : ''}: check AWS_ENDPOINT_URL and the proxy settings (a web page or a captive portal answered), then try again`,
    };
  }
  if (/Region not accepted/i.test(message)) {
    return { name: 'InvalidRegion', message: `the region${forWhat} is not a region code (${message}): pass --region (e.g. eu-west-1) or fix AWS_REGION / the profile's region` };
  }
  if (name === 'RegionMissingError' || /Region is missing/i.test(message)) {
    return { name: 'NoRegion', message: `no AWS region${forWhat}: pass --region, set AWS_REGION, or use a profile with a region` };
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized|UnauthorizedException/i.test(name) || /not authorized to perform/i.test(message)) {
    return { name: 'AccessDenied', message: `access denied${what ? `: ${what}` : ''}: ${message} (use a role that may do this, e.g. the app's management role: --profile)` };
  }
  if (/ExpiredToken|InvalidClientTokenId|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch/i.test(name)) {
    return { name: 'CredentialsRejected', message: `AWS rejected the credentials${forWhat} (${name}): refresh them (e.g. \`aws sso login\`) and try again` };
  }
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(name) || /Rate exceeded/i.test(message)) {
    return { name: 'Throttled', message: `AWS throttled${what ? ` ${what}` : ' the request'} (${name}: ${message}) and the retries ran out: wait a minute and try again` };
  }
  if (/ExecutionDoesNotExist|StateMachineDoesNotExist|ResourceNotFound|NotFound|NoSuch|DoesNotExist/i.test(name)) {
    return { name: 'NotFound', message: `${what ? `${what}: ` : ''}not found (${message}): check the name, --region and --profile` };
  }
  if (name === 'TimeoutError' || /timed out|ETIMEDOUT/i.test(message)) {
    return { name: 'TimedOut', message: `AWS did not answer${forWhat} in time (${message}): check the network, proxy and AWS_ENDPOINT_URL, or try again` };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up/.test(message) || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET/.test(e?.code ?? '')) {
    return { name: 'CannotReachAws', message: `cannot reach AWS${forWhat} (${message}): check the network, proxy and AWS_ENDPOINT_URL settings` };
  }
  return { name, message: what ? `${what} failed: ${name}: ${message}` : message };
}
