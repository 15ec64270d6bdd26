import { readFileSync } from 'node:fs';
import { runLocal } from '../lib/local/runner';
(async () => {
  const { report } = await runLocal({ pipeline: 'build', input: JSON.parse(readFileSync('/work/wt-rt/test/fixtures/events/codebuild-succeeded.json', 'utf8')), world: JSON.parse(readFileSync('/work/wt-rt/test/fixtures/worlds/example.json', 'utf8')), rootDir: '/work/wt-rt' });
  for (const e of report.executions) console.log(e.stateMachine, e.name, e.status, e.error, (e.cause ?? '').slice(0, 400));
})();
