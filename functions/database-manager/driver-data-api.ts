import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RollbackTransactionCommand,
  type RDSDataClient,
  type SqlParameter,
} from '@aws-sdk/client-rds-data';
import { isAwsError } from '../shared/errors';
import { ConnectionFailed, DatabaseManagerError, DatabaseNotFound, SqlError, SQLSTATE } from './errors';
import type { Driver, QueryResult, Session } from './driver';
import type { SqlValue, Statement } from './sql';

/** Options of {@link DataApiDriver}. */
export interface DataApiDriverOptions {
  /** The Aurora cluster's ARN (the Data API must be enabled on it). */
  readonly resourceArn: string;
  /** The admin secret's ARN: the Data API logs in with it. */
  readonly secretArn: string;
  /** The database used for admin work. @default "postgres" */
  readonly adminDatabase?: string;
}

/**
 * Rewrites positional parameters (`$1`) into the Data API's named ones (`:p1`), leaving alone what is
 * inside quoted identifiers (`"a$1"`), string literals, dollar-quoted bodies and comments.
 */
export function toNamedParameters(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const rest = sql.slice(i);
    let m: RegExpMatchArray | null;
    if (ch === "'" || ch === '"') {
      // Quoted literal or identifier; a doubled quote is an escaped quote.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? sql.length : end;
      out += sql.slice(i, j);
      i = j;
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      const j = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if ((m = rest.match(/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/)) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      // Dollar-quoted string: $tag$ ... $tag$
      const tag = m[0];
      const end = sql.indexOf(tag, i + tag.length);
      const j = end === -1 ? sql.length : end + tag.length;
      out += sql.slice(i, j);
      i = j;
    } else if ((m = rest.match(/^\$([0-9]+)/)) && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      out += `:p${m[1]}`;
      i += m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Binds one value with the Data API's typed fields. */
export function toSqlParameter(value: SqlValue, index: number): SqlParameter {
  const name = `p${index + 1}`;
  if (value === null) return { name, value: { isNull: true } };
  if (typeof value === 'boolean') return { name, value: { booleanValue: value } };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, value: { longValue: value } } : { name, value: { doubleValue: value } };
  return { name, value: { stringValue: value } };
}

/**
 * Reads the SQLSTATE the Data API puts in its error messages ("...; SQLState: 42P04").
 * @returns the code, or undefined when the message has none.
 */
export function sqlStateFromMessage(message: string): string | undefined {
  return /SQLState: ([0-9A-Z]{5})/.exec(message)?.[1];
}

function toError(e: unknown, database: string): Error {
  const err = e as { name?: string; message?: string };
  const message = err?.message ?? String(e);
  const sqlState = sqlStateFromMessage(message);
  if (sqlState === SQLSTATE.invalidCatalogName && /database .* does not exist/.test(message)) return new DatabaseNotFound(`database "${database}" does not exist`);
  if (sqlState) return new SqlError(`${message} [SQLSTATE ${sqlState}]`, sqlState);
  if (isAwsError(e, 'BadRequestException', 'DatabaseErrorException')) return new SqlError(message, '');
  return new ConnectionFailed(`RDS Data API call failed (${err?.name ?? 'Error'}): ${message}`);
}

/**
 * The RDS Data API driver: no connection and no VPC; each statement is an ExecuteStatement call with
 * typed parameters, transactions are BeginTransaction / CommitTransaction (RollbackTransaction on error).
 * One statement per call (the Data API does not run several separated by `;` with parameters).
 */
export class DataApiDriver implements Driver {
  public readonly kind = 'data-api' as const;
  private readonly adminDatabase: string;

  constructor(
    private readonly client: RDSDataClient,
    private readonly options: DataApiDriverOptions,
  ) {
    this.adminDatabase = options.adminDatabase ?? 'postgres';
  }

  private session(database: string, transactionId?: string): Session {
    return {
      query: async (statement: Statement): Promise<QueryResult> => {
        let output;
        try {
          output = await this.client.send(
            new ExecuteStatementCommand({
              resourceArn: this.options.resourceArn,
              secretArn: this.options.secretArn,
              database,
              sql: statement.values.length > 0 ? toNamedParameters(statement.text) : statement.text,
              ...(statement.values.length > 0 ? { parameters: statement.values.map(toSqlParameter) } : {}),
              ...(transactionId ? { transactionId } : {}),
              formatRecordsAs: 'JSON',
              includeResultMetadata: true,
            }),
          );
        } catch (e) {
          throw toError(e, database);
        }
        const rows = output.formattedRecords ? (JSON.parse(output.formattedRecords) as Record<string, unknown>[]) : [];
        return {
          rows,
          rowCount: output.formattedRecords ? rows.length : (output.numberOfRecordsUpdated ?? 0),
          fields: (output.columnMetadata ?? []).map((c) => c.label ?? c.name ?? ''),
        };
      },
    };
  }

  async withSession<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    return fn(this.session(database ?? this.adminDatabase));
  }

  async transaction<T>(database: string | undefined, fn: (session: Session) => Promise<T>): Promise<T> {
    const db = database ?? this.adminDatabase;
    const { resourceArn, secretArn } = this.options;
    let transactionId: string | undefined;
    try {
      transactionId = (await this.client.send(new BeginTransactionCommand({ resourceArn, secretArn, database: db }))).transactionId;
    } catch (e) {
      throw toError(e, db);
    }
    if (!transactionId) throw new ConnectionFailed('RDS Data API BeginTransaction returned no transaction id');
    try {
      const result = await fn(this.session(db, transactionId));
      await this.client.send(new CommitTransactionCommand({ resourceArn, secretArn, transactionId }));
      return result;
    } catch (e) {
      await this.client.send(new RollbackTransactionCommand({ resourceArn, secretArn, transactionId })).catch(() => undefined);
      throw e instanceof DatabaseManagerError ? e : toError(e, db);
    }
  }

  async close(): Promise<void> {
    // Nothing to close: the Data API has no connection.
  }
}
