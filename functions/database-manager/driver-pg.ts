import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, Pool, type ClientConfig, type QueryResult as PgQueryResult } from 'pg';
import { ConfigurationError, ConnectionFailed, DatabaseNotFound, SqlError, SQLSTATE } from './errors';
import type { Driver, QueryResult, Session } from './driver';
import type { Statement } from './sql';

/** Where and how the pg driver connects. Absent fields fall back to libpq's environment (PGHOST, ...). */
export interface PgConnection {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  /** The admin database (where roles and databases are managed). */
  readonly database?: string;
  /** A password, or a function called for every new connection (IAM auth tokens expire after 15 minutes). */
  readonly password?: string | (() => Promise<string>);
  /** TLS settings; `false` or absent: as libpq's PGSSLMODE says. */
  readonly ssl?: ConnectionOptions | false;
}

/** Options of {@link PgDriver}. */
export interface PgDriverOptions {
  /** Resolved once, on first use (reading a secret may be needed first). */
  readonly connection: PgConnection | (() => Promise<PgConnection>);
  /** Connections kept open to the admin database. @default 2 */
  readonly maxConnections?: number;
}

/**
 * TLS settings for RDS: the server certificate is verified (never `rejectUnauthorized: false`). The CA
 * comes from the file named by `PGSSLROOTCERT` when set, else from Node's trust store, which includes the
 * file named by `NODE_EXTRA_CA_CERTS` (on Lambda: `/var/runtime/ca-cert.pem`, which holds the RDS CAs).
 */
export function verifiedTls(env: NodeJS.ProcessEnv = process.env, host?: string): ConnectionOptions {
  const rootCert = env.PGSSLROOTCERT;
  let ca: string | undefined;
  if (rootCert) {
    try {
      ca = readFileSync(rootCert, 'utf8');
    } catch (e) {
      throw new ConfigurationError(`PGSSLROOTCERT=${rootCert} cannot be read (${(e as Error).message}); point it at the RDS CA bundle (global-bundle.pem)`);
    }
  }
  // SNI carries host names only (RFC 6066); an IP address is still checked against the certificate.
  return { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(host && isIP(host) === 0 ? { servername: host } : {}) };
}

function describe(config: ClientConfig): string {
  const host = config.host ?? process.env.PGHOST ?? 'localhost';
  const port = config.port ?? process.env.PGPORT ?? 5432;
  const user = config.user ?? process.env.PGUSER ?? 'the current OS user';
  return `${host}:${port} as ${user}`;
}

/** Turns a pg error into a named error carrying its SQLSTATE. */
export function toSqlError(e: unknown): Error {
  const err = e as { code?: unknown; message?: string; detail?: string };
  if (typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code)) {
    return new SqlError(`${err.message ?? 'statement failed'}${err.detail ? ` (${err.detail})` : ''} [SQLSTATE ${err.code}]`, err.code);
  }
  return e instanceof Error ? e : new Error(String(e));
}

function toResult(result: PgQueryResult | PgQueryResult[]): QueryResult {
  // With several statements in one simple query, pg returns one result per statement: report the last.
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return {
    rows: (last?.rows ?? []) as Record<string, unknown>[],
    rowCount: last?.rowCount ?? 0,
    fields: (last?.fields ?? []).map((f) => f.name),
  };
}

type Queryable = { query(text: string, values?: unknown[]): Promise<PgQueryResult | PgQueryResult[]> };

function session(client: Queryable): Session {
  return {
    async query(statement: Statement): Promise<QueryResult> {
      try {
        const result = statement.values.length > 0 ? await client.query(statement.text, [...statement.values]) : await client.query(statement.text);
        return toResult(result);
      } catch (e) {
        throw toSqlError(e);
      }
    },
  };
}

/**
 * The `pg` driver: a small pool on the admin database, kept warm across invocations, and a one-off
 * client for any other database (closed in `finally`).
 */
export class PgDriver implements Driver {
  public readonly kind = 'pg' as const;
  private config?: Promise<ClientConfig>;
  private pool?: Pool;

  constructor(private readonly options: PgDriverOptions) {}

  private async clientConfig(): Promise<ClientConfig> {
    this.config ??= (async () => {
      const c = typeof this.options.connection === 'function' ? await this.options.connection() : this.options.connection;
      const config: ClientConfig = {};
      if (c.host !== undefined) config.host = c.host;
      if (c.port !== undefined) config.port = c.port;
      if (c.user !== undefined) config.user = c.user;
      if (c.database !== undefined) config.database = c.database;
      if (c.password !== undefined) config.password = c.password;
      if (c.ssl) config.ssl = c.ssl;
      config.connectionTimeoutMillis = 10_000;
      config.application_name = 'slipway-database-manager';
      return config;
    })();
    this.config.catch(() => (this.config = undefined));
    return this.config;
  }

  private connectionError(e: unknown, config: ClientConfig, database: string | undefined): Error {
    const err = e as { code?: string; message?: string };
    if (err?.code === SQLSTATE.invalidCatalogName && database !== undefined) return new DatabaseNotFound(`database "${database}" does not exist`);
    if (err instanceof ConfigurationError) return err;
    return new ConnectionFailed(
      `cannot connect to PostgreSQL at ${describe(config)}${database ? ` (database "${database}")` : ''}: ${err?.message ?? String(e)}; nothing was changed. Check that the server is running and reachable there, and the connection settings (PGHOST, PGPORT, PGUSER, PGPASSWORD; on AWS the admin secret and the security group)`,
    );
  }

  private async run<T>(database: string | undefined, fn: (client: Queryable) => Promise<T>): Promise<T> {
    const config = await this.clientConfig();
    if (database === undefined || database === config.database) {
      this.pool ??= new Pool({ ...config, max: this.options.maxConnections ?? 2, idleTimeoutMillis: 0 });
      let client;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw this.connectionError(e, config, undefined);
      }
      let broken = false;
      try {
        return await fn(client);
      } catch (e) {
        // A connection error (not a statement error) makes the pool discard the client.
        broken = !(e instanceof SqlError);
        throw e;
      } finally {
        client.release(broken);
      }
    }
    const client = new Client({ ...config, database });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw this.connectionError(e, config, database);
    }
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  withSession<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    return this.run(database, (client) => fn(session(client)));
  }

  transaction<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    return this.run(database, async (client) => {
      await client.query('BEGIN');
      try {
        const result = await fn(session(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }
}
