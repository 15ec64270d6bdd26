import type { Command } from 'commander';
import type * as Login from '../ops/login';
import { EXIT } from './errors';
import { printResult, reportError } from './io';
import { commandIo, type CommandIo } from './command-io';

/**
 * `slipway login <dashboard-url>`: sign in with the organisation's OpenID Connect provider in the browser
 * and keep one short-lived session per app the person may use in ~/.slipway/credentials.json; later
 * commands use the session of the app they name when no AWS credentials or profile are set
 * (lib/ops/login.ts, docs/dashboard.md).
 */

const login = () => require('../ops/login') as typeof Login;

export function registerLoginCommand(program: Command, io: CommandIo = commandIo): void {
  program
    .command('login <dashboard-url>')
    .description("sign in with your organisation's identity provider (the browser opens the printed URL) and keep short-lived AWS credentials for each app you may use; used when no AWS profile or credentials are set")
    .option('--json', 'print one JSON document')
    .action(async (dashboard: string, _o: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{ json?: boolean }>();
      try {
        const cache = await login().login(dashboard, { openUrl: (url) => void io.stderr(`Open this URL in your browser to sign in:\n  ${url}\n`) });
        const apps = Object.entries(cache.sessions).map(([app, s]) => ({ app, expires: s.expiration }));
        printResult(io, opts.json, { subject: cache.subject, apps, file: login().loginCacheFile() }, `signed in as ${cache.subject}: ${apps.map((a) => `${a.app} (until ${a.expires})`).join(', ')}\ncredentials kept in ${login().loginCacheFile()} (readable by you only)`);
        io.exit(EXIT.ok);
      } catch (e) {
        io.exit(reportError(io, e, opts.json));
      }
    });
}
