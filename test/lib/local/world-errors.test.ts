import { LocalRunError } from '../../../lib/local/run-error';
import { World } from '../../../lib/local/world';
import { worldSchema } from '../../../lib/local/world-schema';
import { buildSettings } from '../../functions/helpers';

/**
 * A bad world is the person's to fix, never a crash of the runner (issue 26): the simulated account's
 * set-up errors are LocalRunError (exit 2 in the CLI, one line naming what to change).
 */

const world = () => new World(worldSchema.parse({ app: 'example' }), buildSettings(), 'control-table');

test('an app hosted twice is a LocalRunError naming the app', () => {
  const w = world();
  expect(() => w.addApp(buildSettings())).toThrow(LocalRunError);
  expect(() => w.addApp(buildSettings())).toThrow('world: app "example" is hosted twice');
});

test('a second app whose table is already another app\'s is a LocalRunError naming the table', () => {
  const w = world();
  const other = buildSettings({ app: 'other' });
  expect(() => w.addApp({ ...other, table: buildSettings().table })).toThrow(LocalRunError);
  expect(() => w.addApp({ ...other, table: buildSettings().table })).toThrow(`world: table ${buildSettings().table} of other already exists`);
});

test('an app the account does not host is a LocalRunError listing the apps it does', () => {
  const w = world();
  expect(() => w.appSettings('ghost')).toThrow(LocalRunError);
  expect(() => w.tableOf('ghost')).toThrow('world: app "ghost" is not hosted in this account (apps: example)');
});

test('seeding a revision of a process the app does not have is a LocalRunError', () => {
  const w = world();
  expect(() => w.seedRevision('ghost', '1')).toThrow(LocalRunError);
  expect(() => w.seedRevision('ghost', '1')).toThrow(/^world: process "ghost" is not one of example's processes/);
});
