import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { CONFIG_REFERENCE_FILE, CONFIG_SCHEMA_FILE, configJsonSchema, configJsonSchemaText, configKeys, configReferenceMarkdown } from '../../lib/config-reference';
import { loadDeploymentConfig } from '../../lib/deployment-config';

/**
 * The config's reference and JSON Schema are generated from the schema that validates configs
 * (lib/deployment-config.ts), so they cannot drift from it: this fails when either file is stale.
 */
const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the config reference', () => {
  test('config/slipway.schema.json is what the schema gives (else: npm run config-reference)', () => {
    expect(read(CONFIG_SCHEMA_FILE)).toBe(configJsonSchemaText());
  });

  test('docs/config-reference.md is what the schema gives (else: npm run config-reference)', () => {
    expect(read(CONFIG_REFERENCE_FILE)).toBe(configReferenceMarkdown());
  });

  test('every key has a description', () => {
    const undescribed = configKeys().filter((k) => !k.schema.description).map((k) => k.path);
    expect(undescribed).toEqual([]);
  });

  test('the reference lists every key, the example config names the schema and is valid by it', () => {
    const markdown = configReferenceMarkdown();
    for (const key of configKeys()) expect(markdown).toContain(`| \`${key.path.slice(key.path.lastIndexOf('.') + 1)}\` |`);
    const example = JSON.parse(read('config/example.json')) as Record<string, unknown>;
    expect(example.$schema).toBe('./slipway.schema.json');
    expect(() => loadDeploymentConfig(join(ROOT, 'config/example.json'))).not.toThrow();
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(configJsonSchema());
    expect([validate(example), validate.errors]).toEqual([true, null]);
  });

  test('the JSON Schema refuses what the loader refuses by shape: an unknown key, a cpu Fargate has not, a missing key', () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    const example = JSON.parse(read('config/example.json')) as { apps: Record<string, unknown>[] };
    const withApp = (app: Record<string, unknown>) => ({ ...example, apps: [{ ...example.apps[1], ...app }] });
    expect(validate(withApp({ replicas: 2 }))).toBe(false);
    expect(validate(withApp({ processes: { web: { port: 8080, cpu: 300 } } }))).toBe(false);
    expect(validate({ ...example, clusters: undefined })).toBe(false);
    expect(validate(withApp({ processes: { web: { port: 8080, cpu: 512, memory: 1024 } } }))).toBe(true);
  });
});
