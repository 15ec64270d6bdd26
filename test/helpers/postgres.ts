import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientConfig } from 'pg';

/**
 * A throwaway PostgreSQL server for tests, started from the machine's PostgreSQL binaries.
 *
 * * With `DATABASE_URL` or `PGHOST` set, that server is used instead (nothing is started or stopped,
 *   the given user is both the superuser and the manager's admin user).
 * * Otherwise `initdb` runs as the `postgres` OS user (it refuses root) in a directory under
 *   {@link serverParentDir} (a tmpfs when there is one), and `pg_ctl` starts the server on a free port,
 *   listening on 127.0.0.1 and on a private socket directory. Local (socket) connections are trusted;
 *   TCP connections need a SCRAM password, so tests can check a generated password for real.
 * * In a jest run (`TEMPLATES_ENV` set by test/helpers/jest-global-setup.ts), `initdb` runs once per run:
 *   each server starts from a copy of the first one's data directory (see `templateCluster`), still one
 *   server per test file.
 *
 * Like RDS, the server gets an `rds_iam` role and an admin role that is not a superuser
 * (`slipway_admin`: LOGIN CREATEDB CREATEROLE, member of `pg_signal_backend`, not of `rds_iam`),
 * so the manager is tested with the privileges it has on Aurora, not with a superuser's.
 */
export interface TestPostgres {
  /** Connection settings of the manager's admin user (what the handler gets as libpq environment). */
  readonly admin: Required<Pick<ClientConfig, 'host' | 'port' | 'user' | 'database'>> & { password?: string };
  /** The admin user's name. */
  readonly adminUser: string;
  /** Whether this harness started the server (and so knows its authentication setup). */
  readonly ownsServer: boolean;
  /** TCP host and port for password logins (only when `ownsServer`). */
  readonly tcp: { host: string; port: number };
  /**
   * TLS on the TCP listener (only when `ownsServer` and `openssl` is installed): the server's certificate
   * is for `localhost`, signed by a throwaway CA whose certificate is in `caFile` (as the RDS CA bundle
   * is for Aurora); `otherCaFile` is a CA that did not sign it.
   */
  readonly tls?: { readonly host: 'localhost'; readonly caFile: string; readonly otherCaFile: string };
  /**
   * Runs a statement as the superuser in `database`. Without `database`: in the maintenance database, on
   * one session the harness keeps open until `stop` (a new connection costs a server process: tests check
   * the catalog before and after most steps); with it, on a connection of its own, closed afterwards.
   */
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string, values?: unknown[], database?: string): Promise<R[]>;
  /** A superuser client connected to `database`; the caller ends it. */
  connect(database?: string, user?: string): Promise<Client>;
  /** libpq environment variables that point at the admin user (for `--local` and the benchmark). */
  readonly env: Record<string, string>;
  /** Closes the maintenance session; stops and removes the server when this harness started it. */
  stop(): Promise<void>;
}

/** The admin role the harness creates, standing in for Aurora's master user. */
export const ADMIN_ROLE = 'slipway_admin';

function findBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  for (const v of ['17', '16', '15', '14']) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], asPostgres: boolean): void {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [file, argv] = asPostgres && isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  try {
    execFileSync(file, argv, { stdio: 'pipe', encoding: 'utf8' });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${err.stderr || err.stdout || err.message}`);
  }
}

async function withClient<T>(config: ClientConfig, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensureRole(config: ClientConfig, role: string, options: string): Promise<void> {
  await withClient(config, async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) await c.query(`CREATE ROLE "${role}" ${options}`);
  });
}

/**
 * A throwaway CA and a server certificate for `localhost` signed by it, plus an unrelated CA, made with
 * `openssl` in `dir`; undefined when `openssl` is missing. Key files belong to the server's OS user
 * (PostgreSQL refuses a key others can read).
 */
function makeCertificates(dir: string, asPostgres: boolean): { serverCert: string; serverKey: string; caFile: string; otherCaFile: string } | undefined {
  if (spawnSync('openssl', ['version'], { encoding: 'utf8' }).status !== 0) return undefined;
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=Slipway test CA'], asPostgres);
  run('openssl', ['req', '-x509', ...ec, '-keyout', f('other-ca.key'), '-out', f('other-ca.crt'), '-days', '2', '-subj', '/CN=Some other CA'], asPostgres);
  run('openssl', ['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost'], asPostgres);
  run('sh', ['-c', `printf 'subjectAltName=DNS:localhost\n' > '${f('server.ext')}'`], asPostgres);
  run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext')], asPostgres);
  run('chmod', ['600', f('server.key')], asPostgres);
  return certificateFiles(dir);
}

/** The certificate files `makeCertificates` left in `dir`; undefined when there are none. */
function certificateFiles(dir: string): { serverCert: string; serverKey: string; caFile: string; otherCaFile: string } | undefined {
  const f = (name: string) => join(dir, name);
  return existsSync(f('server.crt')) ? { serverCert: f('server.crt'), serverKey: f('server.key'), caFile: f('ca.crt'), otherCaFile: f('other-ca.crt') } : undefined;
}

function makeHarness(
  superConfig: ClientConfig,
  admin: TestPostgres['admin'],
  ownsServer: boolean,
  tcp: TestPostgres['tcp'],
  stop: () => Promise<void>,
  tls?: TestPostgres['tls'],
): TestPostgres {
  const connect = async (database?: string, user?: string): Promise<Client> => {
    const client = new Client({ ...superConfig, ...(database ? { database } : {}), ...(user ? { user } : {}) });
    await client.connect();
    return client;
  };
  let maintenance: Promise<Client> | undefined;
  const maintenanceSession = async (): Promise<Client> => {
    const client = await connect();
    // A server stopped under it ends it with an error event, which must not crash the test process.
    client.on('error', () => undefined);
    return client;
  };
  return {
    admin,
    adminUser: admin.user,
    ownsServer,
    tcp,
    ...(tls ? { tls } : {}),
    connect,
    env: {
      PGHOST: admin.host,
      PGPORT: String(admin.port),
      PGUSER: admin.user,
      PGDATABASE: admin.database,
      ...(admin.password ? { PGPASSWORD: admin.password } : {}),
    },
    async query(text, values, database) {
      if (database === undefined) {
        if (!maintenance) {
          maintenance = maintenanceSession();
          maintenance.catch(() => (maintenance = undefined));
        }
        return (await (await maintenance).query(text, values)).rows;
      }
      const client = await connect(database);
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      const session = await maintenance?.catch(() => undefined);
      maintenance = undefined;
      await session?.end().catch(() => undefined);
      await stop();
    },
  };
}

/**
 * Starts a throwaway PostgreSQL (or attaches to the one named by `DATABASE_URL`/`PGHOST`).
 * @throws Error with what to install when the PostgreSQL binaries are missing.
 */
export async function startPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL || process.env.PGHOST) {
    const superConfig: ClientConfig = process.env.DATABASE_URL ? { connectionString: process.env.DATABASE_URL } : {};
    const probe = new Client(superConfig);
    const { host, port, user, database, password } = probe;
    await ensureRole(superConfig, 'rds_iam', 'NOLOGIN');
    const admin = { host: host ?? 'localhost', port: port ?? 5432, user: user ?? 'postgres', database: database ?? 'postgres', ...(typeof password === 'string' ? { password } : {}) };
    return makeHarness(superConfig, admin, false, { host: admin.host, port: admin.port }, async () => undefined);
  }

  const binDir = findBinDir();
  if (!binDir) {
    throw new Error(
      'PostgreSQL server binaries not found (looked at PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/<version>/bin). ' +
        'Install them (Debian/Ubuntu: `apt-get install -y postgresql`), or point DATABASE_URL at a server you can create databases on.',
    );
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const templatesDir = process.env[TEMPLATES_ENV];
  const template = templatesDir ? await templateCluster(binDir, templatesDir, isRoot) : undefined;
  const { root, socketDir } = serverFolder(serverParentDir(), 'slipway-pg-', isRoot);
  const dataDir = join(root, 'data');
  let certificates: Certificates | undefined;
  if (template) {
    // As root, `cp -a` keeps the files the server's OS user's.
    run('cp', ['-a', template.dataDir, dataDir], false);
    certificates = template.certificates;
  } else {
    initdb(binDir, dataDir);
    certificates = makeCertificates(root, isRoot);
  }
  const port = await startServer(binDir, dataDir, root, socketDir, certificates);

  const stop = async (): Promise<void> => {
    try {
      run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-w', '-m', 'immediate', 'stop'], true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  const superConfig: ClientConfig = { host: socketDir, port, user: 'postgres', database: 'postgres' };
  if (!template) {
    try {
      await addRdsRoles(superConfig);
    } catch (e) {
      await stop();
      throw e;
    }
  }
  const tls = certificates ? { host: 'localhost' as const, caFile: certificates.caFile, otherCaFile: certificates.otherCaFile } : undefined;
  return makeHarness(superConfig, { host: socketDir, port, user: ADMIN_ROLE, database: 'postgres' }, true, { host: '127.0.0.1', port }, stop, tls);
}

/** Free space a tmpfs needs for {@link serverParentDir} to choose it (Docker's default /dev/shm has 64 MB). */
const TMPFS_MIN_BYTES = 2 * 1024 ** 3;
/** `statfs` type of a tmpfs (Linux's TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;

/**
 * The folder throwaway servers (and the run's template cluster) live under: `/dev/shm` when it is a
 * tmpfs with room to spare, else `os.tmpdir()`. Why: a test server's files need no disk, and on a disk
 * file system every CREATE DATABASE (a few hundred new files, copied from template1) pays the file
 * system's cost of creating files; on this project's 2-core test machine (ext4 with much churn) 20 CREATE
 * DATABASE took 8-9 s (5.6-7 s of system CPU) in /tmp, 1.1-1.9 s (0.7-0.9 s) in /dev/shm.
 */
export function serverParentDir(): string {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= TMPFS_MIN_BYTES) return '/dev/shm';
  } catch {
    // No /dev/shm (macOS, Windows): the OS's temporary folder.
  }
  return tmpdir();
}

/**
 * Names a folder (made by jest's globalSetup, removed by its globalTeardown) where the first server of a
 * test run leaves its freshly initialized data directory, roles and certificates; every later server of
 * the run starts from a copy of it instead of running `initdb` again. Each test file still gets a server
 * of its own.
 */
export const TEMPLATES_ENV = 'SLIPWAY_PG_TEMPLATES';

type Certificates = NonNullable<ReturnType<typeof makeCertificates>>;

/** A new folder for one server under `parent`, owned by the server's OS user, with its socket folder. */
function serverFolder(parent: string, prefix: string, isRoot: boolean): { root: string; socketDir: string } {
  const root = mkdtempSync(join(parent, prefix));
  const socketDir = join(root, 'sock');
  if (isRoot) {
    const pgUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const pgGid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, pgUid, pgGid);
    chmodSync(root, 0o755);
  }
  run('mkdir', ['-p', socketDir], isRoot);
  return { root, socketDir };
}

function initdb(binDir: string, dataDir: string): void {
  run(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C'], true);
}

/** Starts a server on `dataDir` on a free port (TLS on with `certificates`) and returns the port. */
async function startServer(binDir: string, dataDir: string, root: string, socketDir: string, certificates: Certificates | undefined): Promise<number> {
  const port = await freePort();
  const ssl = certificates ? ` -c ssl=on -c ssl_cert_file=${certificates.serverCert} -c ssl_key_file=${certificates.serverKey}` : '';
  run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-w', '-l', join(root, 'server.log'), '-o', `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c max_prepared_transactions=10${ssl}`, 'start'], true);
  return port;
}

/** The roles Aurora has and the manager relies on (see {@link ADMIN_ROLE}). */
async function addRdsRoles(superConfig: ClientConfig): Promise<void> {
  await ensureRole(superConfig, 'rds_iam', 'NOLOGIN');
  await ensureRole(superConfig, ADMIN_ROLE, 'LOGIN CREATEDB CREATEROLE');
  await withClient(superConfig, async (c) => {
    await c.query(`GRANT pg_signal_backend TO "${ADMIN_ROLE}"`);
  });
}

/**
 * The run's template cluster in `templatesDir`, made by the first caller: `initdb`, certificates, the RDS
 * roles, then a clean shutdown. Two jest workers may both make one at the start of a run; the first to
 * finish renames its folder into place and the other's is discarded.
 */
async function templateCluster(binDir: string, templatesDir: string, isRoot: boolean): Promise<{ dataDir: string; certificates?: Certificates }> {
  const ready = join(templatesDir, 'cluster');
  if (!existsSync(ready)) {
    const { root, socketDir } = serverFolder(templatesDir, 'building-', isRoot);
    const dataDir = join(root, 'data');
    try {
      initdb(binDir, dataDir);
      const port = await startServer(binDir, dataDir, root, socketDir, makeCertificates(root, isRoot));
      try {
        await addRdsRoles({ host: socketDir, port, user: 'postgres', database: 'postgres' });
      } finally {
        run(join(binDir, 'pg_ctl'), ['-D', dataDir, '-w', '-m', 'fast', 'stop'], true);
      }
      renameSync(root, ready);
    } catch (e) {
      // Another worker's template got there first: use that one. Otherwise this one's failure stands.
      if (!existsSync(ready)) throw e;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return { dataDir: join(ready, 'data'), certificates: certificateFiles(ready) };
}
