import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_REFERENCE_FILE, CONFIG_SCHEMA_FILE, configJsonSchemaText, configReferenceMarkdown } from '../lib/config-reference';

/**
 * Writes config/slipway.schema.json and docs/config-reference.md from the config's schema
 * (lib/deployment-config.ts). `--check` writes nothing and exits 1 when either file is stale.
 */
const root = join(__dirname, '..');
const files: [string, string][] = [
  [CONFIG_SCHEMA_FILE, configJsonSchemaText()],
  [CONFIG_REFERENCE_FILE, configReferenceMarkdown()],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of files) {
  const path = join(root, file);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    process.stderr.write(`${file} is stale: run npm run config-reference\n`);
    stale += 1;
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
