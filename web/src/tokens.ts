/** The ID token's parts the page reads (no DOM here: unit-tested under Node). */
import { appsOfSessionTags, sessionTagsOf } from '../../domain/dashboard';

/** Sign-in failed (the issuer refused, the state did not match, no role accepted the token). */
export class SignInError extends Error {
  public override readonly name = 'SignInError';
}

/** The claims of a JWT (not verified here: STS verifies the token's signature against the issuer). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new SignInError('the ID token is not a JWT');
  try {
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    throw new SignInError('the ID token\'s claims are not JSON');
  }
}

/** The apps an ID token names as session tags (domain/dashboard.ts: `https://aws.amazon.com/tags` → `principal_tags` → `slipway-app-1` … `slipway-app-5`), each once. */
export function appsOfToken(claims: Record<string, unknown>): string[] {
  return [...new Set(appsOfSessionTags(sessionTagsOf(claims)))];
}
