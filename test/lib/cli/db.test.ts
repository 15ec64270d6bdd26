import { startPostgres, type TestPostgres } from '../../helpers/postgres';
import { lines, LOCAL_AWS_ENV, runSlipway, startRecordingEndpoint, type EndpointAnswer, type RecordingEndpoint } from './child-cli';

/** Runs `slipway <args>` (bin/slipway.js) in a child process; returns its exit code and output lines. */
async function cli(...args: string[]): Promise<{ code: number | undefined; out: string[]; err: string[] }> {
  const run = await runSlipway(args, env);
  return { code: run.code, out: lines(run.stdout), err: lines(run.stderr) };
}

/** A fake Lambda Invoke endpoint (AWS_ENDPOINT_URL_LAMBDA): records requests, answers with `reply`. */
let lambda: RecordingEndpoint;
/** The invocations the endpoint got: the request path and the event. */
const invocations = () => lambda.requests.map((r) => ({ path: r.url, body: r.body }));
let reply: EndpointAnswer = { status: 200, body: {} };
let env: Record<string, string> = {};

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startPostgres();
  lambda = await startRecordingEndpoint(() => reply, 'application/json');
  // LOCAL_AWS_ENV sets NODE_NO_WARNINGS: the SDK's Node-version notice would otherwise be the first stderr line.
  env = { ...pg.env, ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_LAMBDA: lambda.url, SLIPWAY_DATABASE_MANAGER_FUNCTION: '' };
});

afterAll(async () => {
  await lambda?.close();
  await pg?.stop();
});

beforeEach(() => {
  lambda.requests.length = 0;
});

describe('slipway db --local', () => {
  test('create --no-iam-auth needs no AWS settings: the generated password is in the output, nothing is stored in AWS', async () => {
    const run = await runSlipway(['db', '--local', '--json', 'create', 'cli_pw', '--no-iam-auth'], { ...env, AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { password?: string; passwordSecretArn?: string; message: string };
    expect(result.password).toMatch(/^\S{16,}$/);
    expect(result.passwordSecretArn).toBeUndefined();
    expect(result.message).toContain('(--local stores nothing in AWS)');
    // The owner logs in with it.
    expect(await pg.query(`SELECT 1 FROM pg_roles WHERE rolname = 'cli_pw' AND rolcanlogin`)).toHaveLength(1);
  });

  test('create twice: created, then nothing to do; --json prints the result', async () => {
    const first = await cli('db', '--local', 'create', 'cli_app');
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(first.out).toEqual(['created database "cli_app" owned by new role "cli_app" (IAM auth)']);
    const second = await cli('db', '--local', '--json', 'create', 'cli_app');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out.join('\n'))).toMatchObject({ action: 'createDatabase', changed: false, databaseOutcome: 'already exists, nothing to do' });
    expect(await pg.query("SELECT 1 FROM pg_database WHERE datname = 'cli_app'")).toHaveLength(1);
  });

  test('sql with --params, then drop --drop-owner', async () => {
    await cli('db', '--local', 'create', 'cli_sql');
    const sql = await cli('db', '--local', '--json', 'sql', 'cli_sql', 'SELECT $1::int * 2 AS doubled', '--params', '[21]');
    expect(sql.code).toBe(0);
    expect(JSON.parse(sql.out.join('\n')).rows).toEqual([{ doubled: 42 }]);
    const drop = await cli('db', '--local', 'drop', 'cli_sql', '--drop-owner');
    expect(drop).toMatchObject({ code: 0, out: ['database "cli_sql": dropped; role "cli_sql": dropped'] });
  });

  test('sql without --json prints the rows as a table, then the row count', async () => {
    const result = await cli('db', '--local', 'sql', 'cli_app', "SELECT n, CASE WHEN n = 2 THEN NULL ELSE 'row ' || n END AS label FROM generate_series(1, 2) AS n");

    expect(result.code).toBe(0);
    expect(result.out.slice(0, 4)).toEqual(['n │ label', '──┼──────', '1 │ row 1', '2 │ NULL']);
    expect(result.out[4]).toMatch(/^2 row\(s\) — ran in database "cli_app" in [\d.]+ ms: 2 row\(s\)$/);
  });

  test('an invalid name exits 2 with one line and no stack trace', async () => {
    const result = await cli('db', '--local', 'create', 'bad;name');
    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^error: InvalidIdentifier: database name "bad;name" is not allowed/);
    expect(result.err[0]).not.toMatch(/\n|    at /);
  });

  test('a failed SQL statement exits 1', async () => {
    const result = await cli('db', '--local', 'sql', 'cli_app', 'SELECT 1/0');
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(/^error: SqlError: runSql in database "cli_app" failed and was rolled back.*division by zero/);
  });

  test('the issue\'s half-commit: COMMIT inside db sql is refused (exit 2) before anything runs', async () => {
    await cli('db', '--local', 'sql', 'cli_app', 'CREATE TABLE IF NOT EXISTS kept (id int)');
    const result = await cli('db', '--local', 'sql', 'cli_app', 'insert into kept values (1); commit; insert into kept values (2); select 1/0');
    expect(result.code).toBe(2);
    expect(result.err).toEqual([expect.stringMatching(/^error: TransactionControlRefused: refused before anything ran \(statement 2: COMMIT \(or END\) \(transaction control\)\)/)]);
    expect(await pg.query('SELECT count(*)::int AS n FROM kept', [], 'cli_app')).toEqual([{ n: 0 }]);
  });

  test.each(['abc', '99999'])('PGPORT=%s is a usage error naming PGPORT (never a silent exit 0), and nothing is created', async (port) => {
    const run = await runSlipway(['db', '--local', '--json', 'create', 'never_created'], { ...env, PGPORT: port });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ error: 'InvalidConnectionSetting', message: expect.stringMatching(new RegExp(`^PGPORT="${port}" is not a TCP port`)) });
    expect(await pg.query("SELECT datname FROM pg_database WHERE datname = 'never_created'")).toEqual([]);
  });

  test('a PostgreSQL that is down is ConnectionFailed (exit 1), not an AWS error', async () => {
    const run = await runSlipway(['db', '--local', 'create', 'never_created'], { ...env, PGHOST: '127.0.0.1', PGPORT: '1' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^error: ConnectionFailed: cannot connect to PostgreSQL at 127\.0\.0\.1:1 .*Check that the server is running/)]);
  });

  test('a missing argument is a usage error (2)', async () => {
    expect((await cli('db', '--local', 'create')).code).toBe(2);
    expect((await cli('db', '--local', 'sql', 'x', 'SELECT 1', '--params', 'not json')).code).toBe(2);
  });
});

describe('slipway db (Lambda)', () => {
  test('invokes the function named by --function with the event', async () => {
    reply = { status: 200, body: { action: 'enableIamAuth', message: 'granted rds_iam to "reporting"' } };
    const result = await cli('db', '--function', 'slipway-db-manager', 'enable-iam', '--user', 'reporting');
    expect(result).toMatchObject({ code: 0, out: ['granted rds_iam to "reporting"'] });
    expect(invocations()).toEqual([{ path: '/2015-03-31/functions/slipway-db-manager/invocations', body: { action: 'enableIamAuth', user: 'reporting' } }]);
  });

  test('a function error is reported by name: input errors exit 2, others 1', async () => {
    reply = { status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: { errorType: 'DatabaseInUse', errorMessage: 'database "x" is still in use' } };
    expect(await cli('db', '--function', 'f', 'drop', 'x')).toMatchObject({ code: 1, err: ['error: DatabaseInUse: database "x" is still in use'] });
    reply = { status: 200, headers: { 'x-amz-function-error': 'Unhandled' }, body: { errorType: 'InvalidIdentifier', errorMessage: 'bad' } };
    expect((await cli('db', '--function', 'f', 'drop', 'x')).code).toBe(2);
  });

  test('a --function that is no Lambda function name is a usage error, never invoked', async () => {
    const result = await cli('db', '--function', '../x', '--json', 'create', 'x');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.out.join('\n'))).toEqual({ error: 'UsageError', message: '--function "../x" is not a Lambda function name or ARN' });
    expect(invocations()).toEqual([]);
  });

  test('access denied on the invoke is AccessDenied, as in every command', async () => {
    reply = { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException' }, body: { message: 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:InvokeFunction' } };

    const result = await cli('db', '--function', 'slipway-db-manager', 'enable-iam');

    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^error: AccessDenied: access denied: Lambda Invoke slipway-db-manager: User: .* is not authorized to perform: lambda:InvokeFunction/);
  });

  test('without --function, the env variable or --local it is a usage error', async () => {
    const result = await cli('db', 'create', 'x');
    expect(result.code).toBe(2);
    expect(result.err[0]).toContain('pass --function <name>');
    expect(invocations()).toEqual([]);
  });
});
