/** The ID token's parts the page reads (no DOM here: unit-tested under Node). */
import { APP_NAME } from '../../domain/names';
import type { DashboardConfig } from './config';

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

/** The RoleSessionName prefix of a person's session for one app (`app-<app>`; domain/dashboard.ts). */
export const SESSION_NAME_PREFIX = 'app-';

/** The apps an ID token names: the values of `appTags.tagKeys` under `appTags.claim` → `principal_tags` that are app names. */
export function appsOfToken(claims: Record<string, unknown>, config: Pick<DashboardConfig, 'appTags'>): string[] {
  const t = config.appTags;
  if (!t) return [];
  const tags = claims[t.claim] as { principal_tags?: Record<string, unknown> } | undefined;
  const principal = tags && typeof tags === 'object' ? tags.principal_tags : undefined;
  if (!principal || typeof principal !== 'object') return [];
  const apps = t.tagKeys.map((k) => {
    const v = principal[k];
    return Array.isArray(v) ? v[0] : v;
  });
  return [...new Set(apps.filter((a): a is string => typeof a === 'string' && APP_NAME.test(a)))];
}

