/**
 * Runs a `slipway local serve` endpoint in this process (as a test, or anything that embeds one, does),
 * starts a pipeline at real-time speed, stops the endpoint while a task of the release is in flight, and
 * then does nothing more: the process must end by itself. If anything still holds it 5 s later, it
 * prints what (process.getActiveResourcesInfo) and exits 3. Run by stop-while-running.test.ts:
 * `npx tsx test/lib/local/serve/stop-while-running.ts`.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { buildEvent, clientConfig, eventually, startEndpoint } from './endpoint-helpers';

async function main(): Promise<void> {
  const endpoint = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } } }, { speed: 1 });
  const sfn = new SFNClient(clientConfig(endpoint));
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: endpoint.account.run.stateMachineArn('build'), name: 'push-45', input: JSON.stringify(buildEvent(45)) }));
    // A .sync task of the release in flight (TaskSubmitted: it waits for its job on the simulated clock).
    const release = () => endpoint.account.run.executions.find((e) => e.name === 'example--45-release');
    await eventually(() => release()?.history.at(-1)?.type === 'TaskSubmitted', 20_000, 'a task of the release execution to be in flight');
  } finally {
    sfn.destroy();
    await endpoint.close();
  }
  const release = endpoint.account.run.executions.find((e) => e.name === 'example--45-release');
  process.stdout.write(`closed with example--45-release ${release?.status}\n`);
  setTimeout(() => {
    process.stdout.write(`still running 5 s after the endpoint closed, held by: ${JSON.stringify(process.getActiveResourcesInfo())}\n`);
    process.exit(3);
  }, 5000).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
