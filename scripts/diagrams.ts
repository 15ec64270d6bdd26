/**
 * `npm run diagrams`: regenerates the Mermaid flowcharts in docs/pipelines.md from every
 * statemachines/*.asl.json, with the legend and the table of rules, catches and retries under each (the text
 * around the generated section is kept; config-change is drawn one phase per chart, see PHASES). `--check` only reports
 * whether the committed file is up to date (exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { updateDoc } from '../lib/diagrams/mermaid';

const root = path.join(__dirname, '..');
const docPath = path.join(root, 'docs', 'pipelines.md');
const current = readFileSync(docPath, 'utf8');
const fresh = updateDoc(current, path.join(root, 'statemachines'));
if (process.argv.includes('--check')) {
  if (fresh !== current) {
    process.stderr.write('docs/pipelines.md is out of date: run npm run diagrams\n');
    process.exitCode = 1;
  }
} else if (fresh !== current) {
  writeFileSync(docPath, fresh);
  process.stdout.write('docs/pipelines.md: diagrams regenerated\n');
} else {
  process.stdout.write('docs/pipelines.md: diagrams already up to date\n');
}
