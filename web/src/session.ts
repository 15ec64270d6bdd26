/**
 * What a sign-in gives the page: the {@link Session}, and {@link Redirecting} when the person is sent to the
 * identity provider. Its own module so that auth.ts (which loads the sign-in flow lazily) and oidc.ts (the
 * flow) both use it without importing each other.
 */
import type { Credentials } from './aws';

/** The signed-in person and the apps they may use. */
export interface Session {
  /** Who signed in (the ID token's email, name or subject); undefined without sign-in. */
  readonly person?: string;
  /** The apps this person may use; undefined: every app of the account (local endpoint without sign-in). */
  readonly apps?: readonly string[];
  /** Apps the token names whose session STS refused. */
  readonly refused: readonly string[];
  /** The credentials of one app's role; throws for an app not in {@link apps}. */
  credentialsFor(app: string): () => Promise<Credentials>;
  signOut(): void;
}

/** The person is being sent to the identity provider: the page stops here. */
export class Redirecting extends Error {
  public override readonly name = 'Redirecting';
}
