/**
 * Named errors of the database manager. Each sets `name`, which Lambda reports as `errorType` and Step
 * Functions can catch by name; each message says what was wrong and what to do about it.
 */

/** Base class: every error the manager throws on purpose. */
export class DatabaseManagerError extends Error {
  public override readonly name: string = 'DatabaseManagerError';
}

/** A database, role or user name that is not a safe PostgreSQL identifier. Nothing was sent to the server. */
export class InvalidIdentifier extends DatabaseManagerError {
  public override readonly name = 'InvalidIdentifier';
}

/** The event's `action` is not one the manager knows. */
export class UnknownAction extends DatabaseManagerError {
  public override readonly name = 'UnknownAction';
}

/** The event is malformed: a missing or extra field, a wrong type. */
export class InvalidRequest extends DatabaseManagerError {
  public override readonly name = 'InvalidRequest';
}

/** `runSql` text that PostgreSQL's parser rejects. Nothing was sent to the server. */
export class InvalidSql extends DatabaseManagerError {
  public override readonly name = 'InvalidSql';
}

/**
 * A value the manager would embed in SQL text as a literal (a SCRAM verifier in `CREATE ROLE ... PASSWORD`)
 * is not of the shape that makes embedding it safe. A bug, not the caller's input: nothing was sent to the server.
 */
export class UnsafeLiteral extends DatabaseManagerError {
  public override readonly name = 'UnsafeLiteral';
}

/**
 * `runSql` text with a statement that would end or start a transaction inside the run (COMMIT, BEGIN,
 * ...) or that PostgreSQL runs only outside a transaction block (CREATE DATABASE, VACUUM, ...): the run
 * could not be all or nothing. Nothing was sent to the server.
 */
export class TransactionControlRefused extends DatabaseManagerError {
  public override readonly name = 'TransactionControlRefused';
}

/**
 * A database could not be dropped because something `DROP DATABASE ... WITH (FORCE)` cannot end still
 * uses it: a prepared transaction, a replication slot or subscription, or a session the admin may not
 * terminate (a superuser's). Nothing was dropped.
 */
export class DatabaseInUse extends DatabaseManagerError {
  public override readonly name = 'DatabaseInUse';
}

/** A named database does not exist (for actions that need it, e.g. `runSql`). */
export class DatabaseNotFound extends DatabaseManagerError {
  public override readonly name = 'DatabaseNotFound';
}

/** A named role does not exist (e.g. `enableIamAuth` for an unknown user). */
export class RoleNotFound extends DatabaseManagerError {
  public override readonly name = 'RoleNotFound';
}

/** The database exists but belongs to another role than the requested owner; nothing was changed. */
export class OwnerMismatch extends DatabaseManagerError {
  public override readonly name = 'OwnerMismatch';
}

/** A role still owns objects or holds privileges outside its own database; it was not dropped. */
export class RoleInUse extends DatabaseManagerError {
  public override readonly name = 'RoleInUse';
}

/** A role the manager must never drop or change (the admin user, a superuser, a role that can create roles). */
export class ProtectedRole extends DatabaseManagerError {
  public override readonly name = 'ProtectedRole';
}

/** The server has no `rds_iam` role: IAM database authentication is an RDS/Aurora feature. */
export class IamAuthUnavailable extends DatabaseManagerError {
  public override readonly name = 'IamAuthUnavailable';
}

/** The manager's own settings (environment variables, admin secret) are missing or wrong. */
export class ConfigurationError extends DatabaseManagerError {
  public override readonly name = 'ConfigurationError';
}

/** The server rejected a statement. `sqlState` is PostgreSQL's five-character error code. */
export class SqlError extends DatabaseManagerError {
  public override readonly name = 'SqlError';
  /** PostgreSQL SQLSTATE, e.g. `42P04` (duplicate_database); empty when unknown. */
  public readonly sqlState: string;
  constructor(message: string, sqlState: string) {
    super(message);
    this.sqlState = sqlState;
  }
}

/** The admin user may not do this to an object another role owns (SQLSTATE 42501, "must be owner"). Nothing was changed. */
export class PermissionDenied extends DatabaseManagerError {
  public override readonly name = 'PermissionDenied';
}

/** A connection setting (PGPORT, PGSSLMODE, DB_PORT, ...) that cannot work, refused before connecting. */
export class InvalidConnectionSetting extends DatabaseManagerError {
  public override readonly name = 'InvalidConnectionSetting';
}

/** The server could not be reached or refused the login. */
export class ConnectionFailed extends DatabaseManagerError {
  public override readonly name = 'ConnectionFailed';
}

/** SQLSTATE codes the manager reacts to. */
export const SQLSTATE = {
  duplicateDatabase: '42P04',
  duplicateObject: '42710',
  uniqueViolation: '23505',
  objectInUse: '55006',
  insufficientPrivilege: '42501',
  dependentObjectsStillExist: '2BP01',
  invalidCatalogName: '3D000',
  undefinedObject: '42704',
} as const;
