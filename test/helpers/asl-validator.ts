import { ACCEPTED_ENV, RunCache } from './run-folders';

/**
 * asl-validator as the tests load it (jest.config.js maps the module `asl-validator` here): the real
 * validator, with each result remembered for the rest of the test file, and each definition it accepts
 * remembered for the rest of the jest run (in the folder named by `ACCEPTED_ENV`, which
 * test/helpers/jest-global-setup.ts makes), so every worker's later test files skip it too.
 *
 * Why: asl-validator builds a new Ajv instance and compiles all its JSON schemas on every call, and
 * aws-local-stepfunctions calls it for every `new StateMachine(...)`, so a local run validated the same
 * few definitions again for every execution; that compiling was most of the state machine tests' time.
 *
 * The validator is a function of the definition and the options, so the first result for a given pair is
 * the answer for every later call. It also adds a default `QueryLanguage` to each state of the
 * definition it is given; a remembered answer makes the same additions, so callers see the same object.
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

const remembered = new Map<string, { result: Result; validated: string }>();

/** Writes every property of `source` into `target`, recursing where both hold an object. */
function copyInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (value !== null && typeof value === 'object' && current !== null && typeof current === 'object') {
      copyInto(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}

/** The definitions accepted by earlier test files of this run, as validated. */
const accepted = new RunCache<string>(ACCEPTED_ENV);
const ACCEPTED: Result = { isValid: true, errors: [], errorsText: () => '' };

function rememberingValidator(definition: unknown, options?: unknown): Result {
  const key = JSON.stringify([definition, options ?? null]);
  const earlier = remembered.has(key) ? undefined : accepted.get(key);
  const known = remembered.get(key) ?? (earlier === undefined ? undefined : { result: ACCEPTED, validated: earlier });
  if (known) {
    remembered.set(key, known);
    if (definition !== null && typeof definition === 'object') copyInto(definition as Record<string, unknown>, JSON.parse(known.validated) as Record<string, unknown>);
    return known.result;
  }
  const result = validate(definition, options);
  const validated = JSON.stringify(definition);
  remembered.set(key, { result, validated });
  if (result.isValid) accepted.set(key, validated);
  return result;
}

export = rememberingValidator;
