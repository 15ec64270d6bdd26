import { createHash, generateKeyPair, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { APP_NAME, sessionTagsClaim, PEOPLE_APP_SLOTS } from '../../../domain';
import type { WireResponse } from './protocols/response';
import { StatusError } from './status-error';

/**
 * A local OpenID Connect issuer for `slipway local serve` (tests and the local try-out of the dashboard
 * and `slipway login`), at `<endpoint>/oidc`: discovery (`/.well-known/openid-configuration`, OpenID
 * Connect Discovery 1.0 §4), the signing keys (`/jwks`, RFC 7517), the authorization endpoint of the
 * authorization code flow (`/authorize`: a login form listing the test people, or an immediate login
 * with `login_hint=<person>`), and the token endpoint (`/token`, with PKCE S256 as RFC 7636 §4.6 checks
 * it: the code verifier's SHA-256, base64url, equals the challenge). ID tokens are RS256 JWTs (RFC 7519)
 * whose `https://aws.amazon.com/tags` claim names the person's apps as session tags, as the
 * organisation's provider is configured to do (docs/dashboard.md). The token endpoint answers CORS from
 * any origin, as providers do for browser apps using PKCE.
 */

/** A test person of the local issuer: who they are and the apps they may use. */
export interface LocalPerson {
  /** The `sub` claim and the name `login_hint` takes. */
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly apps: readonly string[];
}

/** The client id the local issuer accepts (the dashboard's and `slipway login`'s). */
export const LOCAL_CLIENT_ID = 'slipway-dashboard';

/** How long an ID token lives (s). */
const TOKEN_SECONDS = 3600;
/** How long an authorization code may wait for its exchange (ms; OAuth 2.0 RFC 6749 §4.1.2 recommends at most 10 minutes). */
const CODE_MS = 60_000;

/** An error of the issuer's endpoints, answered as OAuth 2.0 does (RFC 6749 §5.2: `{error, error_description}`). */
export class OidcError extends StatusError {}

interface PendingCode {
  readonly person: LocalPerson;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce?: string;
  readonly expires: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The local issuer: its keys, its people and the codes it handed out. */
export class LocalOidcIssuer {
  /**
   * The signing key pair, made when first needed: an RSA key takes from a tenth of a second to a second
   * to generate, which `slipway local serve` would otherwise spend before it listens ({@link prepareKeys}
   * makes it in the background once the endpoint listens).
   */
  private keyPair?: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  private preparing?: Promise<void>;
  readonly keyId = randomBytes(8).toString('hex');
  private readonly codes = new Map<string, PendingCode>();
  readonly people: ReadonlyMap<string, LocalPerson>;

  /**
   * @param issuerUrl the issuer identifier, `<endpoint>/oidc` (the `iss` of its tokens).
   * @param people the test people; each needs an id and at most {@link PEOPLE_APP_SLOTS} valid app names.
   */
  constructor(
    readonly issuerUrl: string,
    people: readonly LocalPerson[],
    readonly clientId = LOCAL_CLIENT_ID,
  ) {
    const byId = new Map<string, LocalPerson>();
    for (const p of people) {
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(p.id)) throw new OidcError('InvalidPerson', `person "${p.id}": an id is 1 to 64 letters, digits, ".", "_", "@" or "-"`);
      if (byId.has(p.id)) throw new OidcError('InvalidPerson', `person "${p.id}" is listed twice`);
      const bad = p.apps.find((a) => !APP_NAME.test(a));
      if (bad !== undefined) throw new OidcError('InvalidPerson', `person "${p.id}": "${bad}" is not an app name`);
      if (p.apps.length > PEOPLE_APP_SLOTS) throw new OidcError('InvalidPerson', `person "${p.id}" has ${p.apps.length} apps: a person can be given at most ${PEOPLE_APP_SLOTS}`);
      byId.set(p.id, p);
    }
    this.people = byId;
  }

  /** The signing key pair: made now (synchronously) unless {@link prepareKeys} already made it. */
  private keys(): { readonly privateKey: KeyObject; readonly publicKey: KeyObject } {
    this.keyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return this.keyPair;
  }

  /** The public half of the signing key. */
  get publicKey(): KeyObject {
    return this.keys().publicKey;
  }

  /** Makes the signing key pair off the main thread (libuv's pool), so that the first sign-in does not wait for it. */
  prepareKeys(): Promise<void> {
    this.preparing ??= new Promise<void>((resolve) => {
      generateKeyPair('rsa', { modulusLength: 2048 }, (err, publicKey, privateKey) => {
        if (!err) this.keyPair ??= { privateKey, publicKey };
        resolve();
      });
    });
    return this.preparing;
  }

  /** OpenID Connect Discovery 1.0 metadata. */
  discovery(): Record<string, unknown> {
    const base = this.issuerUrl;
    return {
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      jwks_uri: `${base}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      token_endpoint_auth_methods_supported: ['none'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code'],
      claims_supported: ['sub', 'name', 'email', 'aud', 'iss', 'exp', 'iat', 'nonce'],
    };
  }

  /** The JSON Web Key Set of the signing key. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [{ ...(this.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: this.keyId, use: 'sig', alg: 'RS256' }] };
  }

  /** Signs an ID token for a person (also used by tests to make tokens directly). */
  idToken(person: LocalPerson, options: { audience?: string; nonce?: string; now?: number; lifetimeSeconds?: number; issuer?: string } = {}): string {
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const claims: Record<string, unknown> = {
      iss: options.issuer ?? this.issuerUrl,
      sub: person.id,
      aud: options.audience ?? this.clientId,
      iat: now,
      exp: now + (options.lifetimeSeconds ?? TOKEN_SECONDS),
      name: person.name ?? person.id,
      email: person.email ?? `${person.id}@example.com`,
      'https://aws.amazon.com/tags': sessionTagsClaim(person.apps),
      ...(options.nonce ? { nonce: options.nonce } : {}),
    };
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.keyId }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.keys().privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** Answers a request under `/oidc/` (`path` is the part after `/oidc`). */
  handle(method: string, path: string, query: URLSearchParams, body: string, origin: string | undefined): WireResponse {
    const cors: Record<string, string> = origin ? { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Content-Type, Authorization', 'Access-Control-Allow-Methods': 'GET, POST' } : {};
    const json = (status: number, value: unknown): WireResponse => ({ status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...cors }, body: JSON.stringify(value) });
    try {
      if (method === 'OPTIONS') return { status: 204, headers: { ...cors, 'Access-Control-Max-Age': '600' }, body: '' };
      if (method === 'GET' && path === '/.well-known/openid-configuration') return json(200, this.discovery());
      if (method === 'GET' && path === '/jwks') return json(200, this.jwks());
      if ((method === 'GET' || method === 'POST') && path === '/authorize') return this.authorize(method === 'POST' ? new URLSearchParams(body) : query);
      if (method === 'POST' && path === '/token') return json(200, this.token(new URLSearchParams(body)));
      return json(404, { error: 'not_found', error_description: `no ${method} ${path}: the issuer has /.well-known/openid-configuration, /jwks, /authorize and /token` });
    } catch (e) {
      if (e instanceof OidcError) return json(e.status, { error: e.code, error_description: e.message });
      return json(500, { error: 'server_error', error_description: (e as Error).message });
    }
  }

  /**
   * The authorization endpoint (OpenID Connect Core §3.1.2): checks the client, the redirect URI (a
   * loopback or localhost address: the local issuer serves local apps only) and the PKCE challenge;
   * with `login_hint` naming a person (or a POST of the login form) it redirects with a code, else it
   * answers the login form.
   */
  private authorize(q: URLSearchParams): WireResponse {
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (clientId !== this.clientId) throw new OidcError('unauthorized_client', `unknown client_id "${clientId}" (the local issuer knows ${this.clientId})`);
    let redirect: URL;
    try {
      redirect = new URL(redirectUri);
    } catch {
      throw new OidcError('invalid_request', `redirect_uri "${redirectUri}" is not a URL`);
    }
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(redirect.hostname) && !redirect.hostname.endsWith('.localhost')) {
      throw new OidcError('invalid_request', `redirect_uri "${redirectUri}" is not on this machine: the local issuer redirects only to loopback addresses`);
    }
    const back = (params: Record<string, string>): WireResponse => {
      const to = new URL(redirect.toString());
      for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
      const state = q.get('state');
      if (state) to.searchParams.set('state', state);
      return { status: 302, headers: { Location: to.toString(), 'Content-Type': 'text/plain' }, body: '' };
    };
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'only the authorization code flow (response_type=code)' });
    if (!(q.get('scope') ?? '').split(' ').includes('openid')) return back({ error: 'invalid_scope', error_description: 'the scope must include openid' });
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return back({ error: 'invalid_request', error_description: 'PKCE is required: code_challenge (43 base64url characters) with code_challenge_method=S256' });
    const hint = q.get('person') ?? q.get('login_hint');
    if (!hint) return this.loginForm(q);
    const person = this.people.get(hint);
    if (!person) return back({ error: 'access_denied', error_description: `no person "${hint}" at the local issuer (people: ${[...this.people.keys()].join(', ') || 'none'})` });
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { person, clientId, redirectUri, challenge, nonce: q.get('nonce') ?? undefined, expires: Date.now() + CODE_MS });
    return back({ code });
  }

  private loginForm(q: URLSearchParams): WireResponse {
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const hidden = [...q.entries()].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
    const options = [...this.people.values()].map((p) => `<option value="${esc(p.id)}">${esc(p.name ?? p.id)} (${esc(p.apps.join(', ') || 'no apps')})</option>`).join('');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in (local issuer)</title></head><body><main><h1>Sign in to the local issuer</h1><form method="post" action="authorize">${hidden}<label for="person">Person</label> <select id="person" name="person">${options}</select> <button type="submit">Sign in</button></form></main></body></html>`;
    return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
  }

  /** The token endpoint (RFC 6749 §4.1.3 with RFC 7636 §4.5): one use per code, the verifier checked. */
  private token(form: URLSearchParams): Record<string, unknown> {
    if (form.get('grant_type') !== 'authorization_code') throw new OidcError('unsupported_grant_type', 'only grant_type=authorization_code');
    const code = form.get('code') ?? '';
    const pending = this.codes.get(code);
    this.codes.delete(code);
    if (!pending || pending.expires < Date.now()) throw new OidcError('invalid_grant', 'the authorization code is unknown, used or expired');
    if (form.get('client_id') !== pending.clientId) throw new OidcError('invalid_grant', 'the code was issued to another client');
    if (form.get('redirect_uri') !== pending.redirectUri) throw new OidcError('invalid_grant', 'redirect_uri differs from the authorization request\'s');
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new OidcError('invalid_request', 'code_verifier must be 43 to 128 characters of [A-Za-z0-9._~-] (RFC 7636 §4.1)');
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) throw new OidcError('invalid_grant', 'the code_verifier does not match the code_challenge (PKCE S256)');
    const idToken = this.idToken(pending.person, { nonce: pending.nonce });
    return { id_token: idToken, access_token: randomBytes(24).toString('base64url'), token_type: 'Bearer', expires_in: TOKEN_SECONDS, scope: 'openid profile email' };
  }

  /**
   * Verifies an ID token of this issuer as STS does for AssumeRoleWithWebIdentity: the signature with
   * the issuer's key, the issuer, the audience (a client id of the provider) and the expiry. Returns
   * its claims.
   * @throws OidcError `InvalidIdentityToken` or `ExpiredTokenException` (STS's codes).
   */
  verify(token: string, audiences: readonly string[], now = Date.now()): Record<string, unknown> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new OidcError('InvalidIdentityToken', 'The web identity token is not a JWT');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new OidcError('InvalidIdentityToken', 'The web identity token is not a JWT');
    }
    if (header.alg !== 'RS256') throw new OidcError('InvalidIdentityToken', `Unsupported token signing algorithm ${String(header.alg)}`);
    if (header.kid !== this.keyId || !verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'))) {
      throw new OidcError('InvalidIdentityToken', 'The web identity token\'s signature does not verify with the provider\'s keys');
    }
    if (claims.iss !== this.issuerUrl) throw new OidcError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${String(claims.iss)}`);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => audiences.includes(String(a)))) throw new OidcError('InvalidIdentityToken', `Incorrect token audience`);
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) throw new OidcError('ExpiredTokenException', 'Token is expired');
    return claims;
  }
}
