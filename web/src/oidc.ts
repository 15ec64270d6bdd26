/**
 * Sign-in with the organisation's OpenID Connect provider (authorization code + PKCE) and each app's
 * session from STS (./auth.ts describes the design). Loaded only when config.json has `signIn`.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Redirecting, type Session } from './session';
import type { Credentials } from './aws';
import { serviceEndpoint, type DashboardConfig, type SignInConfig } from './config';
import { peopleSessionName } from '../../domain/dashboard';
import { appsOfToken, jwtClaims, SignInError } from './tokens';

const STORE = 'slipway.signIn';
const PENDING = 'slipway.pendingSignIn';
/** Credentials are renewed this long before they expire. */
const RENEW_MS = 5 * 60 * 1000;

interface StoredToken {
  readonly idToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Where this tab keeps the issuer's discovery document between the sign-in's two page loads. */
const DISCOVERY = 'slipway.discovery';

async function discover(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string; end_session_endpoint?: string }> {
  // Read once per tab: the page that comes back from the issuer does not ask for it again (one round trip less).
  const kept = JSON.parse(sessionStorage.getItem(DISCOVERY) ?? 'null') as { issuer?: string; doc?: { authorization_endpoint: string; token_endpoint: string } } | null;
  if (kept?.issuer === issuer && kept.doc) return kept.doc;
  const doc = await fetchDiscovery(issuer);
  sessionStorage.setItem(DISCOVERY, JSON.stringify({ issuer, doc }));
  return doc;
}

async function fetchDiscovery(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string; end_session_endpoint?: string }> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`).catch((e: Error) => {
    throw new SignInError(`the identity provider ${issuer} did not answer (${e.message})`);
  });
  if (!res.ok) throw new SignInError(`the identity provider's discovery document answered HTTP ${res.status}`);
  const doc = (await res.json()) as Record<string, unknown>;
  if (typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string') throw new SignInError('the identity provider\'s discovery document names no authorization or token endpoint');
  return doc as { authorization_endpoint: string; token_endpoint: string };
}

function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Sends the browser to the issuer's authorization endpoint with a PKCE challenge. */
async function startSignIn(signIn: SignInConfig): Promise<never> {
  const { authorization_endpoint } = await discover(signIn.issuer);
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const u = new URL(authorization_endpoint);
  const query = new URLSearchParams({ response_type: 'code', client_id: signIn.clientId, redirect_uri: redirectUri(), scope: signIn.scopes.join(' '), state, code_challenge: challenge, code_challenge_method: 'S256' });
  // A login_hint on the dashboard's URL goes to the provider (OpenID Connect Core 1.0 §3.1.2.1).
  const hint = new URLSearchParams(location.search).get('login_hint');
  if (hint) query.set('login_hint', hint);
  u.search = query.toString();
  location.assign(u.toString());
  throw new Redirecting('signing in');
}

/** Exchanges the authorization code the issuer sent back for an ID token. */
async function finishSignIn(signIn: SignInConfig, params: URLSearchParams): Promise<StoredToken> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string; hash: string } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${location.pathname}${pending?.hash ?? ''}`);
  if (params.get('error')) throw new SignInError(`the identity provider refused the sign-in: ${params.get('error')}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}`);
  if (!pending || pending.state !== params.get('state')) throw new SignInError('the sign-in answer does not match the sign-in this page started: sign in again');
  const { token_endpoint } = await discover(signIn.issuer);
  const res = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: redirectUri(), client_id: signIn.clientId, code_verifier: pending.verifier }).toString(),
  });
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof out.id_token !== 'string') throw new SignInError(`the identity provider gave no ID token (${String(out.error ?? res.status)}${out.error_description ? `: ${String(out.error_description)}` : ''})`);
  const exp = Number(jwtClaims(out.id_token).exp);
  const token = { idToken: out.id_token, expiresAt: Number.isFinite(exp) ? exp * 1000 : Date.now() + 3600_000 };
  sessionStorage.setItem(STORE, JSON.stringify(token));
  return token;
}

function storedToken(): StoredToken | undefined {
  const t = JSON.parse(sessionStorage.getItem(STORE) ?? 'null') as StoredToken | null;
  return t && t.expiresAt - Date.now() > 60_000 ? t : undefined;
}

/** The person's session: signed in (or sent to sign in), then one STS session per app the token names. */
export async function signedInSession(config: DashboardConfig & { signIn: SignInConfig }): Promise<Session> {
  const signIn = config.signIn;
  const params = new URLSearchParams(location.search);
  const token = params.has('code') || params.has('error') ? await finishSignIn(signIn, params) : (storedToken() ?? (await startSignIn(signIn)));
  const claims = jwtClaims(token.idToken);
  const apps = appsOfToken(claims);
  const roleArn = config.roleArn ?? '';
  // AssumeRoleWithWebIdentity is unsigned: the SDK sends it with no credentials (its auth scheme is noAuth).
  const sts = new STSClient({ region: config.region, endpoint: serviceEndpoint(config, 'sts') });
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
    signOut: () => {
      sessionStorage.removeItem(STORE);
      location.assign(redirectUri());
    },
  };
}
