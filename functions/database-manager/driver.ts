import type { Statement } from './sql';

/** Rows and counts of one statement, the same for both drivers. */
export interface QueryResult {
  /** Rows as objects keyed by column name. */
  readonly rows: Record<string, unknown>[];
  /** Rows returned or affected (PostgreSQL's command tag count; 0 when none). */
  readonly rowCount: number;
  /** Column names, in order (empty for statements that return no rows). */
  readonly fields: string[];
}

/** Runs statements on one connection (pg) or one transaction id (Data API). */
export interface Session {
  /** Runs one statement (or, with the pg driver and no parameters, several separated by `;`). */
  query(statement: Statement): Promise<QueryResult>;
}

/**
 * What the manager needs from a way of reaching PostgreSQL: sessions, with or without a transaction, on
 * the admin database or a named one. Errors come out as `SqlError` (with the SQLSTATE),
 * `ConnectionFailed` or `DatabaseNotFound`.
 */
export interface Driver {
  /** `pg` (direct connection) or `data-api` (RDS Data API). */
  readonly kind: 'pg' | 'data-api';
  /** Runs `fn` in autocommit mode (needed for CREATE/DROP DATABASE); `database` undefined = the admin database. */
  withSession<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T>;
  /** Runs `fn` inside BEGIN ... COMMIT; any error rolls everything back and is rethrown. */
  transaction<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
