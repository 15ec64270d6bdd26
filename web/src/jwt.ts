/** An ID token's claims, read without any other module (./boot.ts's sign-in loads this before the main bundle). */

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
