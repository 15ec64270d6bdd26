import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcceptedDefinitions, acceptedDefinitionsDir } from '../../../lib/local/accepted-definitions';

describe('AcceptedDefinitions', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-accepted-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a definition added is known to a later process (a new instance on the same folder), another text is not', () => {
    new AcceptedDefinitions(dir).add('{"StartAt":"A"}');
    const later = new AcceptedDefinitions(dir);
    expect(later.has('{"StartAt":"A"}')).toBe(true);
    expect(later.has('{"StartAt":"B"}')).toBe(false);
    expect(readdirSync(dir)).toHaveLength(1);
  });

  test('without a folder the memory is the process', () => {
    const memory = new AcceptedDefinitions(undefined);
    memory.add('x');
    expect(memory.has('x')).toBe(true);
    expect(new AcceptedDefinitions(undefined).has('x')).toBe(false);
  });

  test('a folder that cannot be written keeps the memory in the process', () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, '');
    const memory = new AcceptedDefinitions(join(file, 'sub'));
    expect(() => memory.add('x')).not.toThrow();
    expect(memory.has('x')).toBe(true);
  });

  test('the folder is named after the installed engine, under node_modules/.cache/slipway', () => {
    const modules = realpathSync(join(__dirname, '..', '..', '..', 'node_modules'));
    const { version } = JSON.parse(readFileSync(join(modules, 'aws-local-stepfunctions', 'package.json'), 'utf8')) as { version: string };
    expect(acceptedDefinitionsDir()).toBe(join(modules, '.cache', 'slipway', `asl-accepted-${version}`));
  });
});
