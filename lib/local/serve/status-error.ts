/**
 * An error the local endpoint answers with an HTTP status: its code (`error` in OAuth's body, AWS's
 * error code on the wire) is its name. WireError (errors.ts) and OidcError (oidc-issuer.ts) are the two.
 */
export class StatusError extends Error {
  constructor(
    /** The error code, e.g. `ResourceNotFoundException`, `invalid_grant`. */
    readonly code: string,
    message: string,
    /** HTTP status: 400 for the caller's errors, 500 for the service's own. */
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}
