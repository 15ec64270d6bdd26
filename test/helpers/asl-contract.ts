import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { forEachState, type AslState, type AslStates } from '../../lib/asl';
import { LocalRun } from '../../lib/local/runner';

/**
 * The contract between an ASL file and the handlers its Lambda tasks invoke (issue 22): every field a
 * handler's schema reads is one the task's payload passes, or is optional with a documented default
 * (`_default` in the schema, or `@default` in the field's TSDoc).
 *
 * The ASL side comes from two places: the task's `Parameters` (the payload's top-level fields, which Step
 * Functions always sends: a `.$` path that does not resolve fails the state with States.Runtime) and the
 * payloads the real ASL sends in local runs (nested shapes: what `$.build` holds at that state), captured
 * with {@link capturePayloads}. The handler side is the zod schema the handler parses its event with.
 */

/** A Lambda task of a state machine: the `lambda:invoke` integrations and plain Lambda ARNs. */
export interface LambdaTask {
  readonly machine: string;
  readonly state: string;
  readonly resource: string;
  /** The `FunctionName` (or the Resource for a plain Lambda ARN): a `${...FunctionArn}` placeholder. */
  readonly functionName: string;
  /**
   * The payload: its top-level fields (each a constant or a `.$` path), or the state's whole input
   * (`Payload.$` / a plain ARN without Parameters).
   */
  readonly payload: { readonly kind: 'fields'; readonly fields: Readonly<Record<string, { readonly path?: string; readonly value?: unknown }>> } | { readonly kind: 'whole'; readonly path: string };
}

const INVOKE = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;
const PLAIN_LAMBDA = /^(arn:aws[a-z-]*:lambda:|\$\{[A-Za-z0-9]+FunctionArn\}$)/;

function payloadOf(object: Record<string, unknown>): LambdaTask['payload'] {
  const fields: Record<string, { path?: string; value?: unknown }> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key.endsWith('.$')) fields[key.slice(0, -2)] = { path: String(value) };
    else fields[key] = { value };
  }
  return { kind: 'fields', fields };
}

/** Every Lambda task of an ASL document (states inside Map and Parallel included). */
export function lambdaTasks(machine: string, definition: { States: AslStates }): LambdaTask[] {
  const out: LambdaTask[] = [];
  forEachState(definition.States, (state: string, s: AslState) => {
    if (s.Type !== 'Task') return;
    const resource = String(s.Resource);
    const params = s.Parameters as Record<string, unknown> | undefined;
    if (INVOKE.test(resource)) {
      if (!params) throw new Error(`${machine} / ${state}: a lambda:invoke task without Parameters`);
      const functionName = String(params.FunctionName ?? params['FunctionName.$']);
      if (params['Payload.$'] !== undefined) out.push({ machine, state, resource, functionName, payload: { kind: 'whole', path: String(params['Payload.$']) } });
      else if (params.Payload !== null && typeof params.Payload === 'object') out.push({ machine, state, resource, functionName, payload: payloadOf(params.Payload as Record<string, unknown>) });
      // No Payload: the function is invoked with an empty payload.
      else out.push({ machine, state, resource, functionName, payload: { kind: 'fields', fields: {} } });
    } else if (PLAIN_LAMBDA.test(resource)) {
      out.push({ machine, state, resource, functionName: resource, payload: params ? payloadOf(params) : { kind: 'whole', path: String(s.InputPath ?? '$') } });
    }
  });
  return out;
}

/** One field of a zod schema: its path (`build.buildKey`, `processes[].name`) and whether it may be left out. */
export interface SchemaField {
  readonly path: string;
  readonly optional: boolean;
  /** The schema's own default (`_default`): present when the field may be left out and the schema says what it then is. */
  readonly defaultValue?: { readonly value: unknown };
}

interface ZodInternals {
  readonly _zod: { readonly def: Record<string, unknown> & { readonly type: string } };
}

/** Every field a zod (v4 or mini) schema reads, nested objects and array elements included. */
export function schemaFields(schema: unknown): SchemaField[] {
  const out: SchemaField[] = [];
  const visit = (node: ZodInternals, path: string, optional: boolean, defaultValue?: { value: unknown }): void => {
    const def = node._zod.def;
    switch (def.type) {
      case 'optional':
        return visit(def.innerType as ZodInternals, path, true, defaultValue);
      case 'default':
      case 'prefault': {
        const raw = def.defaultValue;
        return visit(def.innerType as ZodInternals, path, true, { value: typeof raw === 'function' ? (raw as () => unknown)() : raw });
      }
      case 'nullable':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        return visit(def.innerType as ZodInternals, path, optional, defaultValue);
      case 'pipe':
        return visit(def.in as ZodInternals, path, optional, defaultValue);
    }
    // An array's element is judged by its fields (an empty array passes none and lacks none).
    if (path && !path.endsWith('[]')) out.push({ path, optional, ...(defaultValue ? { defaultValue } : {}) });
    if (def.type === 'object') {
      for (const [key, child] of Object.entries(def.shape as Record<string, ZodInternals>)) visit(child, path ? `${path}.${key}` : key, false);
    } else if (def.type === 'array') {
      visit(def.element as ZodInternals, `${path}[]`, false);
    }
  };
  visit(schema as ZodInternals, '', false);
  return out;
}

/**
 * The `@default` TSDoc tags of the fields of a schema written as `const <variable> = z.object({...})`
 * (or `z.looseObject`, with `.check(...)` after it) in `file`: field path -> the tag's text. Nested
 * object literals are followed (`z.array(z.object(...))` as `name[]`).
 */
export function documentedDefaults(rootDir: string, file: string, variable: string): Map<string, string> {
  const text = readFileSync(join(rootDir, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out = new Map<string, string>();
  let found = false;
  const objectCall = (node: ts.Node): { literal: ts.ObjectLiteralExpression; inArray: boolean } | undefined => {
    let result: { literal: ts.ObjectLiteralExpression; inArray: boolean } | undefined;
    let arrays = 0;
    const search = (n: ts.Node): void => {
      if (result) return;
      if (ts.isCallExpression(n)) {
        const callee = n.expression.getText(source);
        if (/\.(object|looseObject|strictObject)$/.test(callee) && n.arguments[0] && ts.isObjectLiteralExpression(n.arguments[0])) {
          result = { literal: n.arguments[0], inArray: arrays > 0 };
          return;
        }
        const isArray = /\.array$/.test(callee);
        if (isArray) arrays += 1;
        // The call's own arguments first (z.optional(z.object(...))), then what it is called on (z.object(...).check(...)).
        for (const a of n.arguments) search(a);
        if (isArray) arrays -= 1;
        search(n.expression);
        return;
      }
      ts.forEachChild(n, search);
    };
    search(node);
    return result;
  };
  const readLiteral = (literal: ts.ObjectLiteralExpression, prefix: string): void => {
    for (const p of literal.properties) {
      if (!ts.isPropertyAssignment(p)) continue;
      const name = ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : p.name.getText(source);
      const path = prefix ? `${prefix}.${name}` : name;
      const tag = ts.getJSDocTags(p).find((t) => t.tagName.text === 'default');
      if (tag) out.set(path, (ts.getTextOfJSDocComment(tag.comment) ?? '').trim());
      const nested = objectCall(p.initializer);
      if (nested) readLiteral(nested.literal, nested.inArray ? `${path}[]` : path);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === variable && node.initializer) {
      const top = objectCall(node.initializer);
      if (top) {
        found = true;
        readLiteral(top.literal, '');
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) throw new Error(`${file}: no schema "const ${variable} = z.object({...})"`);
  return out;
}

/** What a handler's side of the contract is: the schema it parses the task's payload with, and where it is written. */
export interface HandlerSide {
  /** The handler, for messages (`update-service`). */
  readonly handler: string;
  readonly schema: unknown;
  /** The schema's source (repository-relative) and variable, where its fields' `@default` tags are read. */
  readonly source: { readonly file: string; readonly variable: string };
}

/** How often a field path is present in the captured payloads. */
type Presence = 'always' | 'sometimes' | 'never';

const MISSING = Symbol('missing');

/** The values at `path` (`a.b`, `a[].b`) in `payload`; MISSING where a step is absent. */
function valuesAt(payload: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0) return [payload];
  const [head, ...rest] = segments;
  const isArray = head.endsWith('[]');
  const key = isArray ? head.slice(0, -2) : head;
  if (payload === null || typeof payload !== 'object' || !Object.prototype.hasOwnProperty.call(payload, key) || (payload as Record<string, unknown>)[key] === undefined) return [MISSING];
  const value = (payload as Record<string, unknown>)[key];
  if (!isArray) return valuesAt(value, rest);
  if (!Array.isArray(value)) return [MISSING];
  return value.flatMap((v) => valuesAt(v, rest));
}

function presence(payloads: readonly unknown[], path: string, parent: string | undefined): Presence {
  const segments = path.split('.');
  const parentSegments = parent ? parent.split('.') : [];
  // Only the payloads where the parent is there say anything about the child.
  const relevant = parent ? payloads.filter((p) => valuesAt(p, parentSegments).some((v) => v !== MISSING)) : payloads;
  const values = relevant.flatMap((p) => valuesAt(p, segments));
  const present = values.filter((v) => v !== MISSING).length;
  if (present === 0) return 'never';
  return present === values.length ? 'always' : 'sometimes';
}

function parentOf(path: string): string | undefined {
  const i = path.lastIndexOf('.');
  return i < 0 ? undefined : path.slice(0, i);
}

/**
 * The contract's problems for one Lambda task: each a sentence naming the machine, the state, the
 * handler and the field. Empty when every field the handler reads is passed, or optional with a default
 * the schema holds or its TSDoc documents (`@default`).
 */
export function contractProblems(task: LambdaTask, side: HandlerSide, payloads: readonly unknown[], documented: ReadonlyMap<string, string>): string[] {
  const where = `${task.machine} / "${task.state}" -> ${side.handler}`;
  if (payloads.length === 0) return [`${where}: no payload captured (no local run entered this state)`];
  const problems: string[] = [];
  const never = new Set<string>();
  for (const field of schemaFields(side.schema)) {
    const parent = parentOf(field.path.replace(/\[\]$/, ''));
    // A field under one the ASL never passes is judged with its parent.
    if (parent && [...never].some((n) => parent === n || parent.startsWith(`${n}.`) || parent.startsWith(`${n}[]`))) continue;
    const seen = presence(payloads, field.path, parent);
    if (seen === 'never') never.add(field.path);
    if (!field.optional && seen !== 'always') {
      problems.push(`${where}: the handler requires ${field.path}, which the ASL ${seen === 'never' ? 'never passes' : 'passes only in some payloads'}`);
    } else if (field.optional && seen === 'never' && !field.defaultValue && !documented.has(field.path)) {
      problems.push(`${where}: the handler reads ${field.path}, which the ASL never passes, and neither the schema (_default) nor its TSDoc (@default) says what it is then`);
    }
  }
  return problems;
}

/** What Step Functions' context object (`$$`) held when a Lambda task was entered. */
export interface PayloadContext {
  readonly executionArn: string;
  readonly executionName: string;
  readonly redriveCount: number;
  readonly enteredTime: string;
}

/** A payload a Lambda task sent in a local run. */
export interface CapturedPayload {
  readonly machine: string;
  readonly state: string;
  readonly payload: unknown;
  readonly context: PayloadContext;
}

type TaskOverride = (input: unknown) => Promise<unknown>;
type Overrides = (def: unknown, execution: string, ...rest: unknown[]) => Record<string, TaskOverride>;

/**
 * Records the payload of every Lambda task the local runner runs (the real ASL's Parameters resolved by
 * the engine, as Step Functions sends them) until the returned function is called. The runner's
 * per-state overrides are wrapped, so the state's name comes with its input.
 */
export function capturePayloads(into: CapturedPayload[]): () => void {
  const proto = LocalRun.prototype as unknown as { overrides: Overrides };
  const original = proto.overrides;
  proto.overrides = function (this: LocalRun, def: unknown, execution: string, ...rest: unknown[]) {
    const out = original.call(this, def, execution, ...rest);
    const machine = this.executions.find((e) => e.arn === execution)?.stateMachine ?? 'unknown';
    // The wrapper is the outermost: what it sees is what the handler gets (the token aside, set by the runner).
    for (const [state, run] of Object.entries(out)) {
      out[state] = (input: unknown) => {
        const params = input as { FunctionName?: unknown; Payload?: unknown } | null;
        if (params && typeof params === 'object' && 'FunctionName' in params) {
          const exec = this.executions.find((e) => e.arn === execution);
          const context = { executionArn: execution, executionName: exec?.name ?? '', redriveCount: exec?.redriveCount ?? 0, enteredTime: this.world.isoNow() };
          into.push({ machine, state, payload: structuredClone(params.Payload ?? {}), context });
        }
        return run(input);
      };
    }
    return out;
  };
  return () => {
    proto.overrides = original;
  };
}

/** The `$$` paths a Lambda task's payload may take from the context object, and where a capture holds them. */
const CONTEXT_PATHS: Readonly<Record<string, (c: PayloadContext) => unknown>> = {
  '$$.Execution.Id': (c) => c.executionArn,
  '$$.Execution.Name': (c) => c.executionName,
  '$$.Execution.RedriveCount': (c) => c.redriveCount,
  '$$.State.EnteredTime': (c) => c.enteredTime,
};

/**
 * The payload the current ASL's task would send in the execution a kept payload came from: each field
 * of the current `Parameters` from the context object of that execution (`$$.Execution.Id`, ...), or
 * from the kept payload's field of the same name (a state-input path the older ASL passed too); the
 * task token as it was. @throws Error naming a field it cannot derive (a new field from the state input:
 * add its derivation here, or version the functions, docs/pipelines.md).
 */
export function currentPayloadFor(task: LambdaTask, kept: { readonly payload: unknown; readonly context: PayloadContext }): unknown {
  if (task.payload.kind === 'whole') return structuredClone(kept.payload);
  const old = (kept.payload ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(task.payload.fields)) {
    if (field.path === undefined) out[name] = structuredClone(field.value);
    else if (field.path === '$$.Task.Token') out[name] = old[name];
    else if (CONTEXT_PATHS[field.path]) out[name] = CONTEXT_PATHS[field.path](kept.context);
    else if (Object.prototype.hasOwnProperty.call(old, name)) out[name] = structuredClone(old[name]);
    else throw new Error(`${task.machine} / "${task.state}": the current ASL passes ${name} (${field.path}), which the kept payload has no field for`);
  }
  return out;
}
