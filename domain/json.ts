/**
 * The two meanings "JSON" has in Slipway's code, named once: {@link JsonValue}, any value JSON can hold
 * (what a state machine passes between states), and {@link JsonObject}, a JSON object whose keys are not
 * known in advance (an AWS answer, an ASL state, a CloudFormation template) and whose values are read
 * one at a time.
 */

/** Any value JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object whose keys are not known in advance; each value is checked where it is read. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
