/**
 * Values as the JSON protocols carry them (Smithy awsJson1_0/1_1 and restJson1): a timestamp is epoch
 * seconds (a number, fractions allowed), a blob is base64; absent members are left out.
 */
export function toWireJson(value: unknown): unknown {
  // Not `instanceof`: a Date made by structuredClone may come from another realm (a test runner's vm).
  if (isDate(value)) return value.getTime() / 1000;
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toWireJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && k !== '$metadata') out[k] = toWireJson(v);
    return out;
  }
  return value;
}

/** Whether a value is a Date of any realm. */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}
