import { z } from 'zod';
import { deploymentConfigSchema } from './deployment-config';

/**
 * The config file's reference, generated from the schema that validates it (lib/deployment-config.ts), so
 * the two cannot drift: a JSON Schema editors read (config/slipway.schema.json, named by `$schema` in a config
 * file) and docs/config-reference.md. `npm run config-reference` writes both; test/lib/config-reference.test.ts
 * fails when either differs from what the schema gives.
 */

/** Where the generated files live, relative to the repository's root. */
export const CONFIG_SCHEMA_FILE = 'config/slipway.schema.json';
export const CONFIG_REFERENCE_FILE = 'docs/config-reference.md';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  [key: string]: unknown;
};

/** Drops the bounds zod writes for its integers (±2^53 - 1), which say nothing to a person. */
function dropSafeIntegerBounds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(dropSafeIntegerBounds);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if ((k === 'maximum' && v === Number.MAX_SAFE_INTEGER) || (k === 'minimum' && v === Number.MIN_SAFE_INTEGER)) continue;
    out[k] = dropSafeIntegerBounds(v);
  }
  return out;
}

/** The config file's JSON Schema (what a config file may hold: its input, before defaults are filled in). */
export function configJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(deploymentConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const { $schema, ...rest } = dropSafeIntegerBounds(generated) as JsonSchema;
  return {
    $schema,
    $id: 'https://github.com/slipway/slipway/config/slipway.schema.json',
    title: 'Slipway deployment config',
    description: 'The account, clusters, databases and apps Slipway deploys (validated again at cdk synth, with the checks listed in docs/config-reference.md).',
    ...rest,
  };
}

/** One row of the reference: a key's path and what the schema says of it. */
export interface ConfigKey {
  readonly path: string;
  readonly schema: JsonSchema;
  readonly required: boolean;
}

/** Every key of the schema, depth first, with its path as a person writes it (`apps[].processes.<process>.cpu`). */
export function configKeys(schema: JsonSchema = configJsonSchema()): ConfigKey[] {
  const keys: ConfigKey[] = [];
  const visit = (node: JsonSchema, path: string) => {
    const object = objectOf(node);
    if (!object) return;
    for (const [name, child] of Object.entries(object.properties ?? {})) {
      const childPath = path ? `${path}.${name}` : name;
      keys.push({ path: childPath, schema: child, required: (object.required ?? []).includes(name) });
      visitChildren(child, childPath);
    }
    if (object.additionalProperties && typeof object.additionalProperties === 'object') visitChildren(object.additionalProperties, `${path}.<${placeholderOf(path)}>`);
  };
  const visitChildren = (node: JsonSchema, path: string) => {
    if (node.type === 'array' && node.items) visit(node.items, `${path}[]`);
    else visit(node, path);
  };
  visit(schema, '');
  return keys;
}

/** The object schema a node describes (itself, or the object branch of an anyOf). */
function objectOf(node: JsonSchema): JsonSchema | undefined {
  if (node.type === 'object') return node;
  return node.anyOf?.find((n) => n.type === 'object');
}

/** `processes` -> `process`: the placeholder of a record's keys. */
function placeholderOf(path: string): string {
  const last = path.split('.').pop()!.replace(/\[\]$/, '');
  return last === 'processes' ? 'process' : last.replace(/s$/, '');
}

/** The type of a key, as a person reads it. */
function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.anyOf) {
    const consts = s.anyOf.every((b) => b.const !== undefined);
    return consts ? s.anyOf.map((b) => JSON.stringify(b.const)).join(' \\| ') : s.anyOf.map(typeOf).join(' or ');
  }
  if (s.type === 'array') return `array of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object') return 'object';
  return String(s.type ?? 'any');
}

/** The constraints of a key (pattern, bounds, lengths, format), as a person reads them. */
function constraintsOf(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined && s.maximum !== undefined) parts.push(`${s.minimum} to ${s.maximum}`);
  else if (s.minimum !== undefined) parts.push(`at least ${s.minimum}`);
  else if (s.maximum !== undefined) parts.push(`at most ${s.maximum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`more than ${s.exclusiveMinimum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`less than ${s.exclusiveMaximum}`);
  if (s.minLength !== undefined && s.minLength > 1) parts.push(`at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined && s.minItems > 0) parts.push(`at least ${s.minItems} item${s.minItems > 1 ? 's' : ''}`);
  if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems} items`);
  if (s.format) parts.push(s.format);
  if (s.pattern) parts.push(`\`${s.pattern.replace(/\|/g, '\\|')}\``);
  if (s.type === 'array' && s.items) {
    const inner = constraintsOf(s.items);
    if (inner) parts.push(`each: ${inner}`);
  }
  return parts.join('; ');
}

/** Markdown table cell text: no line breaks, pipes escaped, `<` outside code spans written `&lt;` (else `<app>` reads as an HTML tag). */
const cell = (text: string) =>
  text
    .replace(/\r?\n/g, ' ')
    .replace(/(?<!\\)\|/g, '\\|')
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`');

/** The checks the config loader makes beyond what a JSON Schema can say, each with where it lives. */
const CHECKS_BEYOND_THE_SCHEMA = [
  'Names are unique: clusters, databases and apps each by `name`; an app may not be named like a cluster (the cluster\'s control plane uses `<prefix>-<cluster>-...` names).',
  'Every `cluster` and `database` an app or database names exists.',
  'Lengths AWS sets for the names Slipway builds from yours: `<prefix>-<cluster>-<function>` within Lambda\'s 64 characters and `<prefix>-<cluster>-<pipeline>` within Step Functions\' 80; the app\'s schedule group `<prefix>-<cluster>.<app>` within 64; a database\'s RDS cluster identifier `<prefix>-<database>` within 63, without `--` or a trailing `-` (lib/deployment-config.ts).',
  '`cpu` and `memory` of each process are a Fargate task size (the table in domain/fargate.ts: 256 CPU units take 512, 1024 or 2048 MiB; ... 16384 take 32768 to 122880 in steps of 8192); the release command and each scheduled command fit ECS\'s 8192 characters of RunTask overrides; a process command leaves the task definition room under 64 KiB (lib/task-limits.ts).',
  'A web app\'s hostname is served over HTTPS by the cluster\'s wildcard certificate (`<domain>` or one label under it), by a certificate of its own (`certificate`), or over plain HTTP because the config says `httpOnly`; a cluster\'s apps hold at most 25 certificates of their own (the load balancer\'s quota) (lib/app-hostname.ts).',
  '`autoscaling.min` is at most `autoscaling.max`; `releaseProcess` and each schedule\'s `process` name one of the app\'s processes; each schedule\'s `schedule` is an EventBridge Scheduler expression; `scaleToZero` only on a non-production app, with `stopAt` and `startAt` different; `databaseRemovalPolicy` only with `database`; `timeZone` an IANA time zone.',
  'At `cdk synth`: the web process has a `port`; `logRetentionDays` is a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days); a cluster with `defaultCapacityProvider` "EC2" has `ec2Capacity` and a NAT gateway.',
];

/** docs/config-reference.md: every key of the config file, by section, from the schema. */
export function configReferenceMarkdown(schema: JsonSchema = configJsonSchema()): string {
  const keys = configKeys(schema);
  const sections = new Map<string, ConfigKey[]>();
  for (const key of keys) {
    // A key's section is the object it belongs to: the path up to its last dot.
    const section = key.path.includes('.') ? key.path.slice(0, key.path.lastIndexOf('.')) : '';
    sections.set(section, [...(sections.get(section) ?? []), key]);
  }
  const lines = [
    '# Config reference',
    '',
    '<!-- Generated by `npm run config-reference` from the schema in lib/deployment-config.ts: edit the schema\'s descriptions, not this file. -->',
    '',
    'A Slipway deployment is one JSON file (`config/example.json` is one), named by the `slipway:config` context key in',
    '`cdk.json` or by `npx cdk deploy -c slipway:config=<file>`. It is validated before anything is synthesized: an',
    'unknown or bad key fails `cdk synth` with one line naming it (`invalid config: apps[0].processes.web.cpu: ...`).',
    '',
    `Editors that read JSON Schema (VS Code, JetBrains IDEs) complete and check the file when it starts with`,
    '`"$schema": "./slipway.schema.json"` (the path from the config file to [config/slipway.schema.json](../config/slipway.schema.json)).',
    '',
    'Keys marked **required** must be present; the others take the default shown, or are off when absent.',
    '`<process>` stands for a process type\'s name (`web`, `worker`, ...): lowercase letters, digits and hyphens.',
    '',
  ];
  for (const [section, rows] of sections) {
    lines.push(`## ${section === '' ? 'Top level' : `\`${section}\``}`, '');
    const parent = keys.find((k) => k.path === section);
    if (parent?.schema.description) lines.push(cell(parent.schema.description), '');
    lines.push('| key | type | default | constraints | description |', '|---|---|---|---|---|');
    for (const key of rows) {
      const name = key.path.slice(section === '' ? 0 : section.length + 1);
      const dflt = key.schema.default !== undefined ? `\`${JSON.stringify(key.schema.default)}\`` : key.required ? '**required**' : '';
      lines.push(`| \`${name}\` | ${cell(typeOf(key.schema))} | ${cell(dflt)} | ${cell(constraintsOf(key.schema))} | ${cell(key.schema.description ?? '')} |`);
    }
    lines.push('');
  }
  lines.push('## Checked beyond the schema', '', 'The config loader also refuses, naming the key:', '', ...CHECKS_BEYOND_THE_SCHEMA.map((c) => `* ${c}`), '');
  return lines.join('\n');
}

/** The JSON Schema file's text. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
