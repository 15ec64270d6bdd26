/** The ID token's parts the page reads (no DOM here: unit-tested under Node); its claims and SignInError: ./jwt.ts. */
import { appsOfSessionTags, sessionTagsOf } from '../../domain/dashboard';

/** The apps an ID token names as session tags (domain/dashboard.ts: `https://aws.amazon.com/tags` → `principal_tags` → `slipway-app-1` … `slipway-app-5`), each once. */
export function appsOfToken(claims: Record<string, unknown>): string[] {
  return [...new Set(appsOfSessionTags(sessionTagsOf(claims)))];
}
