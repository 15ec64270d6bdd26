/**
 * The OpenID Connect sign-in itself (authorization code + PKCE S256, RFC 7636; the state checked on the
 * way back): sending the browser to the issuer, exchanging the code it sends back for an ID token, and
 * keeping that token for the tab. No AWS SDK here: ./boot.ts runs it before the main bundle loads, so a
 * first visit goes to the issuer without downloading or running the pages, and the code's exchange on the
 * way back overlaps the main bundle's load. The STS sessions are ./oidc.ts's (./auth.ts describes the design).
 */
import type { SignInConfig } from './config';
import { Redirecting } from './session';
import { jwtClaims, SignInError } from './jwt';

const STORE = 'slipway.signIn';
const PENDING = 'slipway.pendingSignIn';
/** Where this tab keeps the issuer's discovery document between the sign-in's two page loads. */
const DISCOVERY = 'slipway.discovery';

/** The person's ID token, as this tab keeps it. */
export interface StoredToken {
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

/** Where the issuer sends the browser back: this page, without its query. */
export function redirectUri(): string {
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

/** Whether the issuer's answer is on this page's URL (a code, or an error). */
function answered(params: URLSearchParams): boolean {
  return params.has('code') || params.has('error');
}

/**
 * Whether this page load must send the person to the issuer (if config.json asks for sign-in): no answer
 * of the issuer on the URL and no unexpired ID token kept in this tab. Read before anything loads.
 */
export function mustSignIn(): boolean {
  return !answered(new URLSearchParams(location.search)) && storedToken() === undefined;
}

/** The person's ID token: the issuer's answer exchanged, else the one this tab keeps, else the browser is sent to sign in ({@link Redirecting}). */
export async function signInToken(signIn: SignInConfig): Promise<StoredToken> {
  const params = new URLSearchParams(location.search);
  if (answered(params)) return finishSignIn(signIn, params);
  return storedToken() ?? startSignIn(signIn);
}

/** Signs the person out of this tab (the ID token forgotten) and reloads the page, which sends them to sign in again. */
export function signOut(): void {
  sessionStorage.removeItem(STORE);
  location.assign(redirectUri());
}
