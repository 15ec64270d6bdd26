/**
 * Each app's session from STS for a person signed in with the organisation's OpenID Connect provider
 * (the sign-in itself, authorization code + PKCE: ./signin.ts; ./auth.ts describes the design). Loaded
 * only when config.json has `signIn`.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { FinalizeRequestMiddleware, MetadataBearer } from '@smithy/types';
import type { Session } from './session';
import type { Credentials } from './aws';
import { serviceEndpoint, type DashboardConfig, type SignInConfig } from './config';
import { peopleSessionName } from '../../domain/dashboard';
import { jwtClaims, SignInError } from './jwt';
import { signOut, type StoredToken } from './signin';
import { appsOfToken } from './tokens';

/** Credentials are renewed this long before they expire. */
const RENEW_MS = 5 * 60 * 1000;

/**
 * The SDK's own headers (its retry bookkeeping and its user agent: telemetry, nothing STS needs) taken off
 * AssumeRoleWithWebIdentity. Without them the call is a form POST with only CORS-safelisted request
 * headers (Fetch Standard, "CORS-safelisted request-header"; Content-Type
 * application/x-www-form-urlencoded is one), which the browser sends without a CORS-preflight OPTIONS
 * request first: one round trip to STS less on every page load that asks for the apps' sessions. The
 * body (the token, the role, the session name) is unchanged.
 * Runs last in finalizeRequest (priority low), after the retry middleware has added its headers.
 */
const withoutSdkHeaders: FinalizeRequestMiddleware<object, MetadataBearer> = (next) => async (args) => {
  const headers = (args.request as { headers?: Record<string, string> }).headers;
  if (headers) for (const name of Object.keys(headers)) if (/^(amz-sdk-|x-amz-user-agent$)/i.test(name)) delete headers[name];
  return next(args);
};

/** The person's session once signed in (`token`: ./signin.ts `signInToken`): one STS session per app the token names. */
export async function signedInSession(config: DashboardConfig & { signIn: SignInConfig }, token: StoredToken): Promise<Session> {
  const claims = jwtClaims(token.idToken);
  const apps = appsOfToken(claims);
  const roleArn = config.roleArn ?? '';
  // AssumeRoleWithWebIdentity is unsigned: the SDK sends it with no credentials (its auth scheme is noAuth).
  const sts = new STSClient({ region: config.region, endpoint: serviceEndpoint(config, 'sts') });
  sts.middlewareStack.add(withoutSdkHeaders, { step: 'finalizeRequest', priority: 'low', name: 'slipwayWithoutSdkHeaders' });
  const assume = async (app: string): Promise<Credentials> => {
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: peopleSessionName(app), WebIdentityToken: token.idToken, DurationSeconds: 3600 }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new SignInError(`STS gave no credentials for app ${app}`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
  // Each app's session is asked for once now; a refusal hides the app.
  const cache = new Map<string, Credentials>();
  const refused: string[] = [];
  await Promise.all(
    apps.map(async (app) => {
      try {
        cache.set(app, await assume(app));
      } catch (e) {
        const n = (e as Error).name;
        if (n === 'AccessDenied' || n === 'AccessDeniedException' || n === 'InvalidIdentityToken') refused.push(app);
        else throw new SignInError(`STS refused the sign-in for app ${app}: ${n}: ${(e as Error).message}`);
      }
    }),
  );
  const allowed = [...cache.keys()].sort();
  return {
    person: String(claims.email ?? claims.name ?? claims.sub ?? ''),
    apps: allowed,
    refused: refused.sort(),
    credentialsFor: (app) => {
      if (!cache.has(app)) throw new SignInError(`you may not use app ${app}`);
      return async () => {
        const c = cache.get(app);
        if (c && (!c.expiration || c.expiration.getTime() - Date.now() > RENEW_MS)) return c;
        const fresh = await assume(app);
        cache.set(app, fresh);
        return fresh;
      };
    },
    signOut,
  };
}
