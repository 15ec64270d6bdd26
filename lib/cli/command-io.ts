// Types only: the operations (and the AWS SDK under them) load when a command runs, not with every start.
import type { Command, Option } from 'commander';
import type * as Aws from '../ops/aws';
import type { OpsClients } from '../ops/aws';
import { realClock, type Clock } from '../ops/wall-clock';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { CONTROL_PLANE_ENV } from '../../domain/pipelines';
import { UsageError } from './errors';
import { processIo, statusLine, type CliIo } from './io';

/**
 * What every command that calls AWS shares: its io (streams, exit, progress line, the one client
 * factory's clients, the clock) and the options every app command takes (`--prefix`, `--table`).
 */

const aws = () => require('../ops/aws') as typeof Aws;

/** Environment variable for `--prefix` (the deployment's name prefix, config `prefix`). */
export const PREFIX_ENV = CONTROL_PLANE_ENV.prefix;
/** Environment variable for `--table` (the app's table, instead of the one its settings parameter names). */
export const TABLE_ENV = 'SLIPWAY_TABLE';

/** The options every app command takes. */
export interface AppCommandOptions {
  json?: boolean;
  prefix?: string;
  table?: string;
}

/**
 * `--prefix <prefix>` (or $SLIPWAY_PREFIX; default `slipway`), `description` saying what it is for the
 * command.
 */
export function prefixOption(program: Command, description = 'name prefix of the Slipway deployment (config "prefix")'): Option {
  return program.createOption('--prefix <prefix>', description).env(PREFIX_ENV).default(DEFAULT_PREFIX);
}

/**
 * `--table <name>` (or $SLIPWAY_TABLE): the app's table instead of the one its settings parameter names,
 * as the README's "Operating an app" says; one definition for every command that takes it.
 */
export function tableOption(program: Command): Option {
  return program.createOption('--table <name>', "the app's DynamoDB table (default: the one its settings parameter /<prefix>/apps/<app>/settings names)").env(TABLE_ENV);
}

/** Where every AWS command writes, how it exits, its AWS clients and its clock (tests pass their own). */
export interface CommandIo extends CliIo {
  /** A live progress line (rewritten in place on a terminal). */
  progress(line: string): void;
  clients(): OpsClients;
  clock: Clock;
}

/** The process's streams, the status line, the CLI's AWS clients and the real clock. */
export const commandIo: CommandIo = {
  ...processIo,
  progress: (line) => statusLine.progress(line),
  clients: () => aws().defaultClients(),
  clock: realClock,
};

/** The deployment's name prefix: an app-name-like word (it becomes part of ARNs and names). */
export const PREFIX = /^[a-z][a-z0-9-]{0,39}$/;

/** Checks --prefix before it goes into a name. @throws UsageError */
export function checkPrefix(prefix: string | undefined): void {
  if (prefix !== undefined && !PREFIX.test(prefix)) throw new UsageError(`--prefix ${JSON.stringify(prefix.slice(0, 60))} is not a name prefix (lowercase letters, digits and hyphens, starting with a letter)`);
}
