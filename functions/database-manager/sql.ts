import { createHash } from 'node:crypto';
import { UnsafeLiteral } from './errors';
import { quoteIdentifier, type Identifier } from './identifiers';

/**
 * The manager's SQL, built by pure functions. Identifiers are validated ({@link Identifier}) and quoted;
 * values are bound parameters (`$1`, `$2`, ...). PostgreSQL's utility statements (CREATE/DROP DATABASE,
 * CREATE ROLE, GRANT) cannot take parameters, so they carry only quoted identifiers, and existence
 * checks before them are parameterised queries on the catalog.
 */

/** A value bound to a parameter. */
export type SqlValue = string | number | boolean | null;

/** One statement and its parameters. */
export interface Statement {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

const statement = (text: string, values: readonly SqlValue[] = []): Statement => ({ text, values });

/** The role RDS and Aurora use to mark users that log in with IAM auth tokens. */
export const RDS_IAM_ROLE = 'rds_iam';

/** First key of the manager's advisory locks ("SLPW"), so they do not collide with an app's own locks. */
export const LOCK_NAMESPACE = 0x534c5057 | 0;

/**
 * The second key of the advisory lock for a name: the first 4 bytes of its SHA-256 as a signed 32-bit
 * integer. Deterministic, so every manager instance takes the same lock for the same app.
 */
export function lockKey(name: string): number {
  return createHash('sha256').update(name, 'utf8').digest().readInt32BE(0);
}

/** Serialises managers working on the same name until the end of the current transaction. */
export const advisoryLock = (name: string): Statement => statement('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, lockKey(name)]);

/** Who the manager is connected as, and whether that user is a superuser. */
export const whoAmI = (): Statement =>
  statement('SELECT current_user AS "user", r.rolsuper AS "superuser", current_database() AS "database" FROM pg_roles r WHERE r.rolname = current_user');

/** A role's login flag, admin-like attributes and membership in `rds_iam` (one row, or none when absent). */
export const roleInfo = (role: string): Statement =>
  statement(
    `SELECT r.rolname AS "name", r.rolcanlogin AS "canLogin", (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb) AS "privileged",
       EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid AND g.rolname = $2) AS "iamAuth",
       pg_has_role(current_user, r.oid, 'MEMBER') AS "adminIsMember"
     FROM pg_roles r WHERE r.rolname = $1`,
    [role, RDS_IAM_ROLE],
  );

/** Whether a role exists (one row with `exists`). */
export const roleExists = (role: string): Statement => statement('SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "exists"', [role]);

/** A database's owner and whether PUBLIC can still connect or create temporary tables (one row, or none). */
export const databaseInfo = (database: string): Statement =>
  statement(
    `SELECT d.datname AS "name", pg_get_userbyid(d.datdba) AS "owner",
       (has_database_privilege('public', d.oid, 'CONNECT') OR has_database_privilege('public', d.oid, 'TEMPORARY')) AS "publicAccess"
     FROM pg_database d WHERE d.datname = $1`,
    [database],
  );

/** `CREATE ROLE "owner" WITH LOGIN`, with a SCRAM verifier when the role logs in with a password. */
export function createRole(owner: Identifier, scramVerifier?: string): Statement {
  if (scramVerifier === undefined) return statement(`CREATE ROLE ${quoteIdentifier(owner)} WITH LOGIN`);
  return statement(`CREATE ROLE ${quoteIdentifier(owner)} WITH LOGIN PASSWORD ${verifierLiteral(scramVerifier)}`);
}

const SCRAM_VERIFIER = /^SCRAM-SHA-256\$[0-9]{1,7}:[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$/;

/**
 * A SCRAM-SHA-256 verifier as a SQL literal. Only the verifier (never the password) reaches the server
 * and its logs; its alphabet (base64, `$`, `:`) has no quote, which the pattern check guarantees.
 * @throws UnsafeLiteral for anything else.
 */
export function verifierLiteral(verifier: string): string {
  if (!SCRAM_VERIFIER.test(verifier)) throw new UnsafeLiteral('refusing to embed a value that is not a SCRAM-SHA-256 verifier');
  return `'${verifier}'`;
}

/** `GRANT "role" TO "member"`. */
export const grantRole = (role: string, member: string): Statement => statement(`GRANT ${quoteIdentifier(role)} TO ${quoteIdentifier(member)}`);

/** Makes the (non-superuser) admin a member of `role`, which PostgreSQL requires to create, alter or drop what `role` owns. */
export const grantRoleToAdmin = (role: Identifier): Statement => statement(`GRANT ${quoteIdentifier(role)} TO CURRENT_USER`);

/** `CREATE DATABASE "database" OWNER "owner"` (not allowed inside a transaction). */
export const createDatabase = (database: Identifier, owner: Identifier): Statement =>
  statement(`CREATE DATABASE ${quoteIdentifier(database)} OWNER ${quoteIdentifier(owner)}`);

/** Removes PUBLIC's default CONNECT and TEMPORARY privileges: only the owner (and the admin) may connect. */
export const revokePublicAccess = (database: Identifier): Statement => statement(`REVOKE CONNECT, TEMPORARY ON DATABASE ${quoteIdentifier(database)} FROM PUBLIC`);

/** Other sessions connected to a database (one row with `count`). */
export const countConnections = (database: string): Statement =>
  statement('SELECT count(*)::int AS "count" FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);

/** `DROP DATABASE IF EXISTS "database" WITH (FORCE)`: terminates the sessions using it, then drops it. */
export const dropDatabase = (database: Identifier): Statement => statement(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);

/**
 * Where a role owns objects or holds privileges, other than in `database` (which is being dropped) and in
 * the database the manager is connected to (where the drop policy reassigns and revokes them). One row per
 * place: `place` is a database name or `cluster-wide` (another database, a tablespace), `objects` a count.
 */
export const roleDependenciesElsewhere = (role: string, database: string): Statement =>
  statement(
    `SELECT CASE WHEN s.dbid = 0 THEN 'cluster-wide' ELSE d.datname END AS "place", count(*)::int AS "objects"
     FROM pg_shdepend s
     LEFT JOIN pg_database d ON d.oid = s.dbid
     WHERE s.refclassid = 'pg_authid'::regclass
       AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)
       AND NOT (s.dbid = 0 AND s.classid = 'pg_database'::regclass AND s.objid = (SELECT oid FROM pg_database WHERE datname = $2))
       AND (s.dbid = 0 OR d.datname NOT IN ($2, current_database()))
     GROUP BY 1 ORDER BY 1`,
    [role, database],
  );

/** Gives what `role` owns in the current database to the admin (drop policy, step 1). */
export const reassignOwnedToAdmin = (role: Identifier): Statement => statement(`REASSIGN OWNED BY ${quoteIdentifier(role)} TO CURRENT_USER`);

/** Revokes the privileges granted to `role` in the current database (drop policy, step 2). */
export const dropOwned = (role: Identifier): Statement => statement(`DROP OWNED BY ${quoteIdentifier(role)}`);

/** How many databases a role owns (one row with `count`). */
export const databasesOwnedBy = (role: string): Statement =>
  statement('SELECT count(*)::int AS "count" FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1', [role]);

/** `DROP ROLE IF EXISTS "role"`. */
export const dropRole = (role: Identifier): Statement => statement(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`);
