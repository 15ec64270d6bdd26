import { InvalidSql, TransactionControlRefused } from './errors';

/**
 * `runSql` runs the whole text in one transaction (BEGIN ... COMMIT, or ROLLBACK on any error), so that a
 * run is all or nothing and its message can say so. A statement inside the text that ends or starts a
 * transaction would break that promise: `insert ...; commit; select 1/0` would keep the first insert
 * although the run "failed and was rolled back". Such text is refused before anything is sent.
 *
 * The text is read by PostgreSQL's own parser (libpg-query: the server's `gram.y` compiled to WASM), not
 * by patterns: `select 'commit'`, `"commit"` as an identifier, a `COMMIT` inside a `$$` body or a comment
 * are not statements and pass; `END`, `ABORT`, `COMMIT AND CHAIN`, `START TRANSACTION` are.
 *
 * Refused (PostgreSQL docs, "SQL Commands"):
 * * transaction control at top level: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT,
 *   PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED
 *   (https://www.postgresql.org/docs/current/sql-commit.html, .../sql-prepare-transaction.html);
 * * statements PostgreSQL runs only outside a transaction block ("cannot be executed inside a
 *   transaction block", e.g. https://www.postgresql.org/docs/current/sql-createdatabase.html,
 *   .../sql-vacuum.html, .../sql-createindex.html "CONCURRENTLY"): the server would refuse them inside
 *   the run's transaction anyway (SQLSTATE 25001), after the statements before them had run; refusing
 *   them first says why, before anything ran.
 *
 * Allowed: SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT, which act inside the run's
 * transaction and cannot commit anything (https://www.postgresql.org/docs/current/sql-savepoint.html).
 * A procedure or DO block that COMMITs is refused by the server itself inside a transaction block
 * (SQLSTATE 2D000, "invalid transaction termination"), and so are statements refused outside a
 * transaction block only in some forms (CREATE SUBSCRIPTION with a replication slot, DROP SUBSCRIPTION
 * of one that has a slot): the run is still rolled back whole, and the error says why.
 */

/** What the parser returns for one statement: `{ <NodeType>: fields }`. */
type Node = Record<string, Record<string, unknown>>;

/** The parser: loaded on first use (a 1.2 MB WASM module), then kept. */
let parser: Promise<typeof import('libpg-query')> | undefined;
async function loadParser(): Promise<typeof import('libpg-query')> {
  parser ??= (async () => {
    const mod = require('libpg-query') as typeof import('libpg-query');
    await mod.loadModule();
    return mod;
  })();
  parser.catch(() => (parser = undefined));
  return parser;
}

const TRANSACTION_KINDS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT (or END)',
  TRANS_STMT_ROLLBACK: 'ROLLBACK (or ABORT)',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** Savepoints act inside the run's transaction: allowed. */
const SAVEPOINT_KINDS = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

const hasOption = (options: unknown, name: string): boolean =>
  Array.isArray(options) && options.some((o) => (o as { DefElem?: { defname?: string } })?.DefElem?.defname === name);

/**
 * The statement's name when PostgreSQL refuses to run it inside a transaction block
 * (`PreventInTransactionBlock` in the server's source), else undefined.
 */
function outsideTransactionOnly(node: Node): string | undefined {
  const [type] = Object.keys(node);
  const f = node[type] ?? {};
  switch (type) {
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'AlterDatabaseStmt':
      return hasOption(f.options, 'tablespace') ? 'ALTER DATABASE ... SET TABLESPACE' : undefined;
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'VacuumStmt':
      return f.is_vacuumcmd ? 'VACUUM' : undefined; // ANALYZE alone runs in a transaction
    case 'ClusterStmt':
      return f.relation === undefined ? 'CLUSTER (every table)' : undefined;
    case 'ReindexStmt': {
      if (hasOption(f.params, 'concurrently')) return 'REINDEX ... CONCURRENTLY';
      return f.kind === 'REINDEX_OBJECT_DATABASE' || f.kind === 'REINDEX_OBJECT_SYSTEM' ? 'REINDEX DATABASE/SYSTEM' : undefined;
    }
    case 'IndexStmt':
      return f.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return f.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'AlterTableStmt': {
      const cmds = Array.isArray(f.cmds) ? (f.cmds as { AlterTableCmd?: { def?: { PartitionCmd?: { concurrent?: boolean } } } }[]) : [];
      return cmds.some((c) => c.AlterTableCmd?.def?.PartitionCmd?.concurrent) ? 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY' : undefined;
    }
    case 'DiscardStmt':
      return f.target === 'DISCARD_ALL' ? 'DISCARD ALL' : undefined;
    default:
      return undefined;
  }
}

/** A statement of the text that cannot run inside the run's transaction. */
export interface RefusedStatement {
  /** 1-based position of the statement in the text. */
  readonly index: number;
  /** The statement as PostgreSQL names it ("COMMIT (or END)", "CREATE DATABASE"). */
  readonly statement: string;
  readonly reason: 'transaction control' | 'not in a transaction block';
}

/**
 * The statements of `text` that `runSql` refuses (empty when none), in order.
 * @throws InvalidSql when PostgreSQL's parser rejects the text (nothing was run).
 */
export async function refusedStatements(text: string): Promise<RefusedStatement[]> {
  const { parse } = await loadParser();
  let stmts: { stmt?: Node }[];
  try {
    stmts = ((await parse(text)) as { stmts?: { stmt?: Node }[] }).stmts ?? [];
  } catch (e) {
    const err = e as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const at = typeof err.sqlDetails?.cursorPosition === 'number' && err.sqlDetails.cursorPosition >= 0 ? ` at character ${err.sqlDetails.cursorPosition + 1}` : '';
    throw new InvalidSql(`PostgreSQL's parser rejects the SQL${at}: ${err.message ?? String(e)}; nothing was run (fix the statement and retry)`);
  }
  const refused: RefusedStatement[] = [];
  stmts.forEach((s, i) => {
    const node = s.stmt ?? {};
    const transaction = node.TransactionStmt;
    if (transaction !== undefined) {
      const kind = String(transaction.kind);
      if (!SAVEPOINT_KINDS.has(kind)) refused.push({ index: i + 1, statement: TRANSACTION_KINDS[kind] ?? kind, reason: 'transaction control' });
      return;
    }
    const outside = outsideTransactionOnly(node);
    if (outside !== undefined) refused.push({ index: i + 1, statement: outside, reason: 'not in a transaction block' });
  });
  return refused;
}

/**
 * Refuses text that would break `runSql`'s all-or-nothing transaction, before anything is sent.
 * @throws TransactionControlRefused naming each refused statement and what to do; InvalidSql.
 */
export async function assertOneTransaction(text: string): Promise<void> {
  const refused = await refusedStatements(text);
  if (refused.length === 0) return;
  const listed = refused.map((r) => `statement ${r.index}: ${r.statement} (${r.reason})`).join(', ');
  const control = refused.some((r) => r.reason === 'transaction control');
  const outside = refused.some((r) => r.reason === 'not in a transaction block');
  const what = [
    control ? 'db sql runs the whole text in one transaction and commits it only when every statement succeeded, so leave out BEGIN/COMMIT/ROLLBACK (SAVEPOINT is allowed)' : '',
    outside ? 'PostgreSQL runs these only outside a transaction block, which a db sql run never is: run them with psql (db create and db drop manage databases)' : '',
  ]
    .filter(Boolean)
    .join('; ');
  throw new TransactionControlRefused(`refused before anything ran (${listed}): ${what}`);
}
