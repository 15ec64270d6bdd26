import { performance } from 'node:perf_hooks';
import type { Driver, Session } from './driver';
import { DatabaseInUse, IamAuthUnavailable, OwnerMismatch, PermissionDenied, ProtectedRole, RoleInUse, RoleNotFound, SqlError, SQLSTATE } from './errors';
import { identifierProblem, type CreateDatabaseResult, type DropDatabaseResult, type EnableIamAuthResult, type ManagerResult, type Outcome, type RunSqlResult } from '../../domain/database';
import type { Identifier } from './identifiers';
import type { PasswordStore } from './passwords';
import { MAX_ROWS, parseRequest, type Request } from './request';
import { generatePassword, scramVerifier } from './scram';
import * as sql from './sql';
import { assertOneTransaction } from './transaction-control';

/** What the manager works with: a driver, and where generated passwords go. */
export interface ManagerDeps {
  readonly driver: Driver;
  readonly passwords: PasswordStore;
}

interface Me {
  user: string;
  superuser: boolean;
}

interface RoleRow {
  name: string;
  canLogin: boolean;
  privileged: boolean;
  iamAuth: boolean;
  adminIsMember: boolean;
}

interface DatabaseRow {
  name: string;
  owner: string;
  publicAccess: boolean;
}

const isDuplicate = (e: unknown): boolean =>
  e instanceof SqlError && ([SQLSTATE.duplicateDatabase, SQLSTATE.duplicateObject, SQLSTATE.uniqueViolation] as string[]).includes(e.sqlState);

async function one<T>(session: Session, statement: sql.Statement): Promise<T | undefined> {
  return (await session.query(statement)).rows[0] as T | undefined;
}

/**
 * The database manager's actions over a {@link Driver}. Each action is idempotent: it reads the catalog
 * first, changes only what differs, and says which.
 */
export class DatabaseManager {
  private me?: Me;

  constructor(private readonly deps: ManagerDeps) {}

  /** Closes the driver's pooled connections (the Lambda keeps them; scripts and tests close them). */
  async close(): Promise<void> {
    await this.deps.driver.close();
  }

  /** Validates `event` and runs its action. Throws the named errors of `errors.ts`. */
  async handle(event: unknown): Promise<ManagerResult> {
    return this.run(parseRequest(event));
  }

  /** Runs a validated request. */
  async run(request: Request): Promise<ManagerResult> {
    switch (request.action) {
      case 'createDatabase':
        return this.createDatabase(request.database, request.owner, request.iamAuth);
      case 'dropDatabase':
        return this.dropDatabase(request.database, request.dropOwner, request.owner);
      case 'enableIamAuth':
        return this.enableIamAuth(request.user);
      case 'runSql':
        return this.runSql(request.database, request.sql, request.parameters);
    }
  }

  private async whoAmI(session: Session): Promise<Me> {
    this.me ??= (await one<Me>(session, sql.whoAmI())) ?? { user: '', superuser: false };
    return this.me;
  }

  private async requireRdsIam(session: Session): Promise<void> {
    const row = await one<{ exists: boolean }>(session, sql.roleExists(sql.RDS_IAM_ROLE));
    if (!row?.exists) {
      throw new IamAuthUnavailable(
        `role "${sql.RDS_IAM_ROLE}" does not exist on this server: IAM database authentication needs RDS or Aurora (to test locally, CREATE ROLE ${sql.RDS_IAM_ROLE}; or give the owner a password instead: slipway db create <database> --no-iam-auth, or "iamAuth": false in the request)`,
      );
    }
  }

  /** Retries a transaction once when a concurrent creator won a race the advisory lock did not cover. */
  private async transactionRetryingDuplicates<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    try {
      return await this.deps.driver.transaction(undefined, fn);
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      return this.deps.driver.transaction(undefined, fn);
    }
  }

  private async createDatabase(database: Identifier, owner: Identifier, iamAuth: boolean): Promise<CreateDatabaseResult> {
    const { driver, passwords } = this.deps;
    const mismatch = (row: DatabaseRow | undefined): void => {
      if (row && row.owner !== owner) {
        throw new OwnerMismatch(`database "${database}" already exists and is owned by "${row.owner}", not "${owner}"; nothing was changed (pass owner: "${row.owner}" or choose another database name)`);
      }
    };
    // Refuse before creating anything when the database belongs to someone else.
    mismatch(await driver.withSession(undefined, (s) => one<DatabaseRow>(s, sql.databaseInfo(database))));

    // 1. The owner role, serialised per role name by an advisory lock held until COMMIT.
    const role = await this.transactionRetryingDuplicates(async (s) => {
      const me = await this.whoAmI(s);
      await s.query(sql.advisoryLock(`role:${owner}`));
      const existing = await one<RoleRow>(s, sql.roleInfo(owner));
      if (!existing) {
        if (iamAuth) await this.requireRdsIam(s);
        const password = iamAuth ? undefined : generatePassword();
        await s.query(sql.createRole(owner, password === undefined ? undefined : scramVerifier(password)));
        if (iamAuth) await s.query(sql.grantRole(sql.RDS_IAM_ROLE, owner));
        if (!me.superuser) await s.query(sql.grantRoleToAdmin(owner));
        // Saved before COMMIT: when Secrets Manager fails, the role is rolled back and a retry starts afresh.
        const passwordSecretArn = password === undefined ? undefined : await passwords.save({ owner, database, password });
        return { outcome: 'created' as Outcome, iam: (iamAuth ? 'granted' : 'not requested') as Outcome, passwordSecretArn };
      }
      if (existing.privileged || existing.name === me.user) {
        throw new ProtectedRole(`role "${owner}" is the admin user or can create roles or databases; an app database's owner must be an ordinary login role`);
      }
      if (!me.superuser && !existing.adminIsMember) await s.query(sql.grantRoleToAdmin(owner));
      let iam: Outcome = 'not requested';
      if (iamAuth && existing.iamAuth) iam = 'already granted, nothing to do';
      else if (iamAuth) {
        await this.requireRdsIam(s);
        await s.query(sql.grantRole(sql.RDS_IAM_ROLE, owner));
        iam = 'granted';
      }
      return { outcome: 'already exists, nothing to do' as Outcome, iam, passwordSecretArn: undefined };
    });

    // 2. The database (CREATE DATABASE cannot run in a transaction): a concurrent creator's win is "already exists".
    let databaseOutcome: Outcome;
    try {
      databaseOutcome = await driver.withSession(undefined, async (s) => {
        const existing = await one<DatabaseRow>(s, sql.databaseInfo(database));
        let outcome: Outcome = 'already exists, nothing to do';
        if (!existing) {
          try {
            await s.query(sql.createDatabase(database, owner));
            outcome = 'created';
          } catch (e) {
            if (!isDuplicate(e)) throw e;
          }
        }
        mismatch(existing ?? (await one<DatabaseRow>(s, sql.databaseInfo(database))));
        return outcome;
      });
    } catch (e) {
      // Nothing half-done: a role this call created goes again when its database could not be made.
      if (role.outcome === 'created') await this.undoCreatedRole(owner).catch(() => undefined);
      if (e instanceof SqlError && e.sqlState === SQLSTATE.objectInUse) {
        throw new DatabaseInUse(
          `database "${database}" was not created: ${e.message}. CREATE DATABASE copies template1, which must have no other sessions; close them and retry (nothing was changed)`,
        );
      }
      throw e;
    }

    // 3. Only the owner (and the admin) may connect.
    const publicAccess = await driver.transaction(undefined, async (s) => {
      await s.query(sql.advisoryLock(`database:${database}`));
      const row = await one<DatabaseRow>(s, sql.databaseInfo(database));
      if (!row?.publicAccess) return 'already revoked, nothing to do' as Outcome;
      await s.query(sql.revokePublicAccess(database));
      return 'revoked' as Outcome;
    });

    const changed = role.outcome === 'created' || role.iam === 'granted' || databaseOutcome === 'created' || publicAccess === 'revoked';
    const message =
      role.outcome === 'created' && databaseOutcome === 'created'
        ? `created database "${database}" owned by new role "${owner}" (${iamAuth ? 'IAM auth' : `password in ${role.passwordSecretArn}`})`
        : changed
          ? `database "${database}" (${databaseOutcome}) owned by role "${owner}" (${role.outcome}); IAM auth: ${role.iam}; PUBLIC access: ${publicAccess}`
          : `database "${database}" and role "${owner}" already exist, nothing to do`;
    return {
      action: 'createDatabase',
      database,
      owner,
      changed,
      role: role.outcome,
      iamAuth: role.iam,
      databaseOutcome,
      publicAccess,
      ...(role.passwordSecretArn ? { passwordSecretArn: role.passwordSecretArn } : {}),
      message,
    };
  }

  /** Drops a role that {@link createDatabase} has just created, unless it owns a database by now (a concurrent call's). */
  private async undoCreatedRole(owner: Identifier): Promise<void> {
    await this.deps.driver.transaction(undefined, async (s) => {
      await s.query(sql.advisoryLock(`role:${owner}`));
      const owns = await one<{ count: number }>(s, sql.databasesOwnedBy(owner));
      if ((owns?.count ?? 0) === 0) await s.query(sql.dropRole(owner));
    });
  }

  private async dropDatabase(database: Identifier, dropOwner: boolean, ownerInput?: Identifier): Promise<DropDatabaseResult> {
    const { driver } = this.deps;
    const { existing, me, owner } = await driver.withSession(undefined, async (s) => {
      const me = await this.whoAmI(s);
      const existing = await one<DatabaseRow>(s, sql.databaseInfo(database));
      const owner = ownerInput ?? existing?.owner ?? database;
      if (dropOwner) {
        // Refuse before anything is dropped: the drop policy only cleans the app's own database and the admin database.
        const problem = identifierProblem(owner, 'owner');
        const role = await one<RoleRow>(s, sql.roleInfo(owner));
        if (problem !== undefined || owner === me.user || role?.privileged) {
          throw new ProtectedRole(`role "${owner}" owns database "${database}" but is the admin user, a reserved name or a role that can create roles or databases; it is never dropped (drop the database without dropOwner)`);
        }
        if (role) {
          const elsewhere = (await s.query(sql.roleDependenciesElsewhere(owner, database))).rows as { place: string; objects: number }[];
          if (elsewhere.length > 0) {
            const where = elsewhere.map((r) => `${r.place} (${r.objects})`).join(', ');
            throw new RoleInUse(
              `role "${owner}" owns objects or holds privileges outside database "${database}": ${where}; nothing was dropped. Reassign or drop them there (REASSIGN OWNED BY / DROP OWNED BY), or drop the database without dropOwner`,
            );
          }
        }
      }
      return { existing, me, owner };
    });

    let terminatedConnections = 0;
    let databaseOutcome: Outcome = 'does not exist, nothing to do';
    if (existing) {
      terminatedConnections = await driver.withSession(undefined, async (s) => {
        if (!me.superuser) {
          const ownerRole = await one<RoleRow>(s, sql.roleInfo(existing.owner));
          if (ownerRole && !ownerRole.adminIsMember && !ownerRole.privileged) await s.query(sql.grantRoleToAdmin(existing.owner as Identifier));
        }
        const connections = (await one<{ count: number }>(s, sql.countConnections(database)))?.count ?? 0;
        try {
          await s.query(sql.dropDatabase(database));
        } catch (e) {
          // FORCE terminates ordinary sessions; what it cannot end is "in use": prepared transactions,
          // replication slots and subscriptions (55006), and sessions the admin may not terminate, such as
          // a superuser's (rdsadmin's on RDS) (42501, raised before any session is terminated).
          // "must be owner of database": a permission problem, not a database in use (DROP DATABASE checks
          // ownership before it terminates anyone; https://www.postgresql.org/docs/current/sql-dropdatabase.html).
          if (e instanceof SqlError && e.sqlState === SQLSTATE.insufficientPrivilege && /must be owner of database/i.test(e.message)) {
            throw new PermissionDenied(
              `database "${database}" was not dropped: ${e.message}. It is owned by "${existing.owner}", a role the admin user "${me.user}" cannot act for (a superuser, or a role that cannot be granted to it); nothing was dropped. Drop it as "${existing.owner}" or a superuser, or first ALTER DATABASE ${database} OWNER TO ${me.user}`,
            );
          }
          if (e instanceof SqlError && (e.sqlState === SQLSTATE.objectInUse || e.sqlState === SQLSTATE.insufficientPrivilege)) {
            throw new DatabaseInUse(
              `database "${database}" is still in use and was not dropped: ${e.message}. Close those sessions or prepared transactions (COMMIT PREPARED / ROLLBACK PREPARED), or drop their replication slots, then retry`,
            );
          }
          throw e;
        }
        return connections;
      });
      databaseOutcome = 'dropped';
    }

    let role: Outcome = 'not requested';
    if (dropOwner) {
      const ownerId = owner as Identifier;
      role = await driver.transaction(undefined, async (s) => {
        await s.query(sql.advisoryLock(`role:${owner}`));
        const row = await one<RoleRow>(s, sql.roleInfo(owner));
        if (!row) return 'does not exist, nothing to do' as Outcome;
        // Drop policy: what the role owns in the admin database goes to the admin, its grants there are revoked.
        await s.query(sql.reassignOwnedToAdmin(ownerId));
        await s.query(sql.dropOwned(ownerId));
        try {
          await s.query(sql.dropRole(ownerId));
        } catch (e) {
          if (e instanceof SqlError && e.sqlState === SQLSTATE.dependentObjectsStillExist) {
            throw new RoleInUse(`role "${owner}" was not dropped: ${e.message}. Reassign or drop what it owns there, then retry`);
          }
          throw e;
        }
        return 'dropped' as Outcome;
      });
    }

    const changed = databaseOutcome === 'dropped' || role === 'dropped';
    const parts = [`database "${database}": ${databaseOutcome}${terminatedConnections > 0 ? ` (terminated ${terminatedConnections} connection(s))` : ''}`];
    if (dropOwner) parts.push(`role "${owner}": ${role}`);
    return {
      action: 'dropDatabase',
      database,
      ...(dropOwner ? { owner } : {}),
      changed,
      databaseOutcome,
      terminatedConnections,
      role,
      message: parts.join('; '),
    };
  }

  private async enableIamAuth(userInput?: Identifier): Promise<EnableIamAuthResult> {
    return this.deps.driver.transaction(undefined, async (s) => {
      const me = await this.whoAmI(s);
      const user = userInput ?? me.user;
      await s.query(sql.advisoryLock(`role:${user}`));
      await this.requireRdsIam(s);
      const row = await one<RoleRow>(s, sql.roleInfo(user));
      if (!row) throw new RoleNotFound(`role "${user}" does not exist; create it first (createDatabase creates app owners)`);
      const note = user === me.user ? ' (on RDS the admin user now logs in with IAM auth tokens only: set DB_AUTH=iam on the manager)' : '';
      if (row.iamAuth) return { action: 'enableIamAuth', user, changed: false, iamAuth: 'already granted, nothing to do', message: `role "${user}" already has ${sql.RDS_IAM_ROLE}, nothing to do` };
      await s.query(sql.grantRole(sql.RDS_IAM_ROLE, user));
      return { action: 'enableIamAuth', user, changed: true, iamAuth: 'granted', message: `granted ${sql.RDS_IAM_ROLE} to "${user}"${note}` };
    });
  }

  private async runSql(database: Identifier, text: string, parameters: sql.SqlValue[]): Promise<RunSqlResult> {
    // All or nothing: text that would commit or begin inside the run is refused before anything is sent.
    await assertOneTransaction(text);
    const started = performance.now();
    let result;
    try {
      result = await this.deps.driver.transaction(database, (s) => s.query({ text, values: parameters }));
    } catch (e) {
      if (e instanceof SqlError) throw new SqlError(`runSql in database "${database}" failed and was rolled back, nothing was applied: ${e.message}`, e.sqlState);
      throw e;
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const truncated = result.rows.length > MAX_ROWS;
    return {
      action: 'runSql',
      database,
      changed: true,
      rowCount: result.rowCount,
      fields: result.fields,
      rows: result.rows.slice(0, MAX_ROWS),
      truncated,
      durationMs,
      message: `ran in database "${database}" in ${durationMs} ms: ${result.rowCount} row(s)${truncated ? `, first ${MAX_ROWS} returned` : ''}`,
    };
  }
}
