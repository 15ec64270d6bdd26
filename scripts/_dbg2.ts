import { LocalRun } from '../lib/local/runner';
(async () => {
  const run = new LocalRun({ app: 'example', registeredBuilds: ['42'] }, process.cwd());
  const exec = await run.run('deploy', { build: { buildKey: '42', sortKey: '0000000042', image: 'x:build-42', commit: 'abc' }, processes: [], force: false, deployTimeoutSeconds: 1800 });
  console.log(exec.status, exec.error, exec.cause, exec.states);
})();
