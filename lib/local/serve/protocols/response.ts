/** An answer of the endpoint before it is written: status, headers and body. */
export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}
