/** Exit codes of every `slipway` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage or input problem: one line on stderr, exit code 2. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}

/** An AWS SDK failure as one line a person can act on. */
export interface AwsErrorLine {
  /** `NoCredentials`, `NoRegion`, `AccessDenied`, `CannotReachAws`, or the SDK error's own name. */
  readonly name: string;
  readonly message: string;
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * Says what went wrong with an AWS call and what to do about it, in one line: missing credentials or
 * region, access denied, rejected or expired credentials, an unreachable endpoint; anything else keeps
 * the service's own name and message. `what` names the call ("Step Functions DescribeExecution <arn>").
 * Every `slipway` command that talks to AWS reports its errors through this.
 */
export function describeAwsError(error: unknown, what?: string): AwsErrorLine {
  const e = error as (Error & { $metadata?: unknown }) | undefined;
  const name = e?.name || 'Error';
  const message = oneLine(String(e?.message ?? error));
  const forWhat = what ? ` for ${what}` : '';
  if (name === 'CredentialsProviderError' || (/Could not load credentials|Could not resolve credentials/i.test(message) && !e?.$metadata)) {
    return { name: 'NoCredentials', message: `no AWS credentials${forWhat}: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and AWS_REGION, or run \`aws sso login\`` };
  }
  if (name === 'RegionMissingError' || /Region is missing/i.test(message)) {
    return { name: 'NoRegion', message: `no AWS region${forWhat}: set AWS_REGION, or use a profile (AWS_PROFILE) with a region` };
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name) || /not authorized to perform/i.test(message)) {
    return { name: 'AccessDenied', message: `access denied${what ? `: ${what}` : ''}: ${message} (use a role that may do this, e.g. the app's management role)` };
  }
  if (/ExpiredToken|InvalidClientTokenId|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch/i.test(name)) {
    return { name, message: `AWS rejected the credentials${forWhat} (${name}): refresh them (e.g. \`aws sso login\`) and try again` };
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(message)) {
    return { name: 'CannotReachAws', message: `cannot reach AWS${forWhat} (${message}): check the network, proxy and AWS_ENDPOINT_URL settings` };
  }
  return { name, message: what ? `${what} failed: ${name}: ${message}` : message };
}
