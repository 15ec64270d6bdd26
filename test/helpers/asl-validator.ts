/**
 * asl-validator as the tests load it (jest.config.js maps the module `asl-validator` here): the real
 * validator, with its JSON schema compiled once per test file instead of once per call.
 *
 * Why: asl-validator builds a new Ajv instance and compiles all its JSON schemas on every call (hundreds
 * of ms). The local runner calls it, through aws-local-stepfunctions, only for a definition it has not
 * accepted before (lib/local/accepted-definitions.ts); the test files that validate definitions
 * themselves (asl-valid.test.ts, the bench's polling definition) call it directly.
 */
type Result = { isValid: boolean; errors: unknown[]; errorsText: (separator?: string) => string };
type Validator = (definition: unknown, options?: unknown) => Result;

// The package's main file, by path: the bare name `asl-validator` is mapped to this module.
const validateAnew = require('asl-validator/dist/src/validator.js') as Validator;

/**
 * The validator with its JSON schema compiled once per set of options for the test file, not per call.
 * asl-validator makes a new Ajv for each call (cheap: a few ms), adds the formats the options select, then
 * `ajv.validate(schemaId, definition)`, which compiles the state machine schema (most of a call's time:
 * hundreds of ms). While it runs, `validate` of a schema ID returns the function compiled by the first call
 * with the same options (the formats those options add are the same pure functions), and sets `errors`
 * just as Ajv's own `validate` does; everything else is the package's code, so the result is the same.
 */
type AjvInstance = { getSchema(id: string): (((data: unknown) => boolean) & { errors?: unknown }) | undefined; errors?: unknown };
const Ajv = (require('ajv') as { default: { prototype: AjvInstance & { validate(ref: unknown, data: unknown): boolean } } }).default;
const compiledSchemas = new Map<string, ((data: unknown) => boolean) & { errors?: unknown }>();

function validate(definition: unknown, options?: unknown): Result {
  const ajvValidate = Ajv.prototype.validate;
  const ownValidate = Object.prototype.hasOwnProperty.call(Ajv.prototype, 'validate');
  const optionsKey = JSON.stringify(options ?? null);
  Ajv.prototype.validate = function validateWithCompiledSchema(this: AjvInstance, ref: unknown, data: unknown): boolean {
    if (typeof ref !== 'string') return ajvValidate.call(this, ref, data);
    const key = `${optionsKey} ${ref}`;
    let compiled = compiledSchemas.get(key);
    if (!compiled) {
      compiled = this.getSchema(ref);
      if (!compiled) throw new Error(`no schema with key or ref "${ref}"`);
      compiledSchemas.set(key, compiled);
    }
    const valid = compiled(data);
    this.errors = compiled.errors;
    return valid;
  };
  try {
    return validateAnew(definition, options);
  } finally {
    if (ownValidate) Ajv.prototype.validate = ajvValidate;
    else delete (Ajv.prototype as Partial<typeof Ajv.prototype>).validate;
  }
}

export = validate;
