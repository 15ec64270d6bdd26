import { InvalidConnectionSetting } from './errors';

/**
 * The libpq environment variables the `pg` driver reads when no admin secret is configured (`PGHOST`,
 * `PGPORT`, ...), checked before any connection is tried, as libpq checks its connection options
 * (https://www.postgresql.org/docs/current/libpq-envars.html, .../libpq-connect.html#LIBPQ-PARAMKEYWORDS).
 * node-postgres does not check them: `PGPORT=abc` made a connection that never failed nor succeeded, and
 * the process ended with exit 0 having done nothing.
 */

/** `sslmode` values libpq accepts (libpq-connect.html, "sslmode"). */
export const PG_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

const shown = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

/**
 * The first problem with the libpq variables of `env`, or undefined when they are usable.
 * `names` maps each setting to the variable it came from (DB_PORT for the Lambda's own settings).
 */
export function libpqEnvProblem(env: NodeJS.ProcessEnv, names: { port?: string } = {}): string | undefined {
  const portName = names.port ?? 'PGPORT';
  const port = names.port ? env[names.port] : env.PGPORT;
  if (port !== undefined && port !== '') {
    // libpq: a decimal integer; TCP ports are 1-65535.
    if (!/^\d{1,5}$/.test(port.trim()) || Number(port) < 1 || Number(port) > 65535) {
      return `${portName}=${shown(port)} is not a TCP port (a whole number from 1 to 65535): set it to the server's port, e.g. ${portName}=5432, or unset it`;
    }
  }
  const timeout = env.PGCONNECT_TIMEOUT;
  if (timeout !== undefined && timeout !== '' && !/^\d{1,9}$/.test(timeout.trim())) {
    return `PGCONNECT_TIMEOUT=${shown(timeout)} is not a whole number of seconds: set it, e.g. PGCONNECT_TIMEOUT=10, or unset it`;
  }
  const sslMode = env.PGSSLMODE;
  if (sslMode !== undefined && sslMode !== '' && !(PG_SSL_MODES as readonly string[]).includes(sslMode)) {
    return `PGSSLMODE=${shown(sslMode)} is not an sslmode libpq knows: use one of ${PG_SSL_MODES.join(', ')}`;
  }
  for (const name of ['PGHOST', 'PGUSER', 'PGDATABASE', 'PGPASSWORD'] as const) {
    const value = env[name];
    // eslint-disable-next-line no-control-regex
    if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value)) {
      return `${name} contains a control character (a newline, say): set it without one${name === 'PGPASSWORD' ? '' : ` (got ${shown(value)})`}`;
    }
  }
  return undefined;
}

/** @throws InvalidConnectionSetting naming the variable, before any connection is tried. */
export function assertLibpqEnv(env: NodeJS.ProcessEnv, names?: { port?: string }): void {
  const problem = libpqEnvProblem(env, names);
  if (problem !== undefined) throw new InvalidConnectionSetting(problem);
}
