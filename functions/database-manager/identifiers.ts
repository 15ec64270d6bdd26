import { InvalidIdentifier } from './errors';

/**
 * PostgreSQL identifiers the manager accepts for databases and roles, and how it quotes them.
 *
 * The accepted set is deliberately narrower than PostgreSQL's: lowercase ASCII letters, digits, `_` and
 * `$`, starting with a letter or `_`. That excludes quotes, semicolons, comment markers, NUL, whitespace,
 * upper case (which PostgreSQL would fold when unquoted, so a name would mean two things) and every
 * non-ASCII character, so unicode look-alikes (Cyrillic `а`, fullwidth `ｐ`) cannot pass for another name.
 */

/** PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server, so they are refused. */
export const MAX_IDENTIFIER_BYTES = 63;

const PATTERN = /^[a-z_][a-z0-9_$]*$/;

/** Names that belong to PostgreSQL or RDS and that an app must never get, drop or modify. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'postgres',
  'template0',
  'template1',
  'rdsadmin',
  'rdsrepladmin',
  'rdstopmgr',
  'rdsproxyadmin',
  'public',
  'none',
  'current_user',
  'current_role',
  'session_user',
  'system_user',
]);

/** Prefixes reserved by PostgreSQL (`pg_`) and RDS (`rds_`, e.g. `rds_iam`, `rds_superuser`). */
export const RESERVED_PREFIXES: readonly string[] = ['pg_', 'rds_'];

/** What an identifier names, used in messages. */
export type IdentifierKind = 'database' | 'owner' | 'user' | 'role';

/** A validated identifier (brand: only {@link validateIdentifier} makes one). */
export type Identifier = string & { readonly __identifier: unique symbol };

/** Shows a rejected value in a message without letting it break the message (NUL, newlines, length). */
function show(value: string): string {
  const shown = JSON.stringify(value.length > 70 ? `${value.slice(0, 70)}…` : value);
  return shown;
}

/**
 * Returns why `value` is not acceptable as a `kind` name, or `undefined` when it is.
 * Pure; {@link validateIdentifier} throws with this reason.
 */
export function identifierProblem(value: unknown, kind: IdentifierKind): string | undefined {
  if (typeof value !== 'string') return `${kind} name must be a string`;
  if (value.length === 0) return `${kind} name must not be empty`;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_IDENTIFIER_BYTES) return `${kind} name ${show(value)} is ${bytes} bytes long; PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} bytes`;
  if (!PATTERN.test(value)) {
    return `${kind} name ${show(value)} is not allowed: use lowercase ASCII letters, digits, "_" and "$", starting with a letter or "_" (e.g. "my_app")`;
  }
  if (RESERVED_NAMES.has(value)) return `${kind} name ${show(value)} is reserved by PostgreSQL or RDS; choose another name`;
  const prefix = RESERVED_PREFIXES.find((p) => value.startsWith(p));
  if (prefix) return `${kind} name ${show(value)} starts with "${prefix}", which is reserved by ${prefix === 'pg_' ? 'PostgreSQL' : 'RDS'}; choose another name`;
  return undefined;
}

/**
 * Validates a database or role name.
 * @throws InvalidIdentifier with the reason, e.g. `database name "a;b" is not allowed: ...`
 */
export function validateIdentifier(value: unknown, kind: IdentifierKind): Identifier {
  const problem = identifierProblem(value, kind);
  if (problem !== undefined) throw new InvalidIdentifier(problem);
  return value as Identifier;
}

/**
 * Quotes an identifier for SQL text (`"name"`). Also used for names the manager did not validate (the
 * admin user, `rds_iam`), so it doubles embedded quotes and refuses NUL, which PostgreSQL cannot store.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new InvalidIdentifier(`cannot quote ${show(name)} as an identifier`);
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Turns an app name from the config (`my-app`: lowercase letters, digits, hyphens) into the database and
 * role name the manager accepts (`my_app`).
 */
export function databaseNameForApp(app: string): string {
  return app.replace(/-/g, '_');
}
