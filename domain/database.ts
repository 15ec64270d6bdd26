/**
 * The database manager's facts that other layers share: which PostgreSQL names it accepts (the app
 * database construct checks a name at synth with the same rule the manager applies at run time) and the
 * results it returns (`slipway db` prints them). The manager itself is functions/database-manager/.
 */

/**
 * PostgreSQL identifiers the manager accepts for databases and roles.
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
 * Turns an app name from the config (`my-app`: lowercase letters, digits, hyphens) into the database and
 * role name the manager accepts (`my_app`).
 */
export function databaseNameForApp(app: string): string {
  return app.replace(/-/g, '_');
}

/** What a step did. "... nothing to do" outcomes mean the catalog already was as asked. */
export type Outcome =
  | 'created'
  | 'already exists, nothing to do'
  | 'granted'
  | 'already granted, nothing to do'
  | 'not requested'
  | 'revoked'
  | 'already revoked, nothing to do'
  | 'dropped'
  | 'does not exist, nothing to do';

/** Result of `createDatabase`. */
export interface CreateDatabaseResult {
  action: 'createDatabase';
  database: string;
  owner: string;
  /** Whether anything changed on the server. */
  changed: boolean;
  role: Outcome;
  iamAuth: Outcome;
  databaseOutcome: Outcome;
  publicAccess: Outcome;
  /** Where the owner's generated password is (only when the role was created without IAM auth). */
  passwordSecretArn?: string;
  message: string;
}

/** Result of `dropDatabase`. */
export interface DropDatabaseResult {
  action: 'dropDatabase';
  database: string;
  owner?: string;
  changed: boolean;
  databaseOutcome: Outcome;
  /** Sessions that were connected to the database and were terminated. */
  terminatedConnections: number;
  role: Outcome;
  message: string;
}

/** Result of `enableIamAuth`. */
export interface EnableIamAuthResult {
  action: 'enableIamAuth';
  user: string;
  changed: boolean;
  iamAuth: Outcome;
  message: string;
}

/** Result of `runSql`. */
export interface RunSqlResult {
  action: 'runSql';
  database: string;
  changed: boolean;
  /** Rows returned or affected by the (last) statement. */
  rowCount: number;
  fields: string[];
  /** At most the manager's `MAX_ROWS` rows. */
  rows: Record<string, unknown>[];
  truncated: boolean;
  durationMs: number;
  message: string;
}

/** Any action's result. */
export type ManagerResult = CreateDatabaseResult | DropDatabaseResult | EnableIamAuthResult | RunSqlResult;
