/**
 * Who the person is and which credentials each of their apps gets. The rest of the page asks this module
 * only for {@link Session}: the apps it may show and a credentials provider per app (Amplify UI's Storage
 * Browser injects sign-in the same way), so the way a person signs in can change without touching a page.
 *
 * * With `signIn` in config.json: OpenID Connect authorization code with PKCE (RFC 7636, S256) against
 *   the organisation's issuer; the ID token names the person's apps as session tags (config `appTags`);
 *   for each of them, STS AssumeRoleWithWebIdentity of the people role with RoleSessionName `app-<app>`
 *   (unsigned, as STS takes it: STS API Reference, AssumeRoleWithWebIdentity), which the role's trust
 *   policy allows only for an app the token tags. Each app's calls use that app's session only; an app
 *   the token does not name gets no credentials, so the page never calls AWS for it. The sign-in itself
 *   (./signin.ts) has no AWS SDK in it: ./boot.ts starts it before the main bundle loads, and the ID
 *   token is asked for while the STS chunk (./oidc.ts) loads.
 * * Without (a local endpoint only): the dummy credentials `slipway local serve` accepts, every app of
 *   the account.
 */
import type { Credentials } from './aws';
import type { DashboardConfig } from './config';
import { Redirecting, type Session } from './session';
import { SignInError } from './jwt';
import { mustSignIn, signInToken } from './signin';

export { Redirecting, SignInError, type Session };

/** The credentials `slipway local serve` accepts (it checks the signature's form, not its key). */
const LOCAL_CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Starts (or resumes) the person's session. */
export async function startSession(config: DashboardConfig): Promise<Session> {
  if (!config.signIn) {
    return {
      refused: [],
      credentialsFor: () => async () => LOCAL_CREDENTIALS,
      signOut: () => location.reload(),
    };
  }
  // The ID token (the issuer's code exchanged, or the one this tab keeps; else the browser goes to sign
  // in) is asked for now, while STS's chunk, loaded only where people sign in, loads.
  const sending = mustSignIn();
  const token = signInToken(config.signIn);
  // Sent to the issuer (Redirecting): nothing more loads on this page load.
  if (sending) await token;
  token.catch(() => undefined);
  const { signedInSession } = await import('./oidc');
  return signedInSession({ ...config, signIn: config.signIn }, await token);
}
