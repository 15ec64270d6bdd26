import { UsageError } from './usage-error';
import { getCurrentRelease, locateApp, recentBuilds, type LocateOptions, type OpsClients } from './aws';
import type { ExecutionRef, Executions, PipelinesOutput } from './schemas';
import { escapeForTerminal, formatDuration } from './terminal';
import { describeExecutions, isFailed, PIPELINES, short, supersededText } from './execution-refs';
import { summariseCause } from './failure-causes';

/** `slipway pipelines <app>`: the recent builds and their build, release and deploy executions. */

/** `slipway pipelines <app>`: the recent builds and their build, release and deploy executions. */
export async function listPipelines(clients: OpsClients, app: string, options: LocateOptions & { limit?: number } = {}): Promise<PipelinesOutput> {
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError(`--limit must be a whole number from 1 to 100, got ${options.limit}`);
  const target = await locateApp(clients, app, options);
  const [builds, current] = [await recentBuilds(clients, target, limit), await getCurrentRelease(clients, target)];
  // Five builds at a time: fast enough for an operator, gentle on the Step Functions API quotas.
  const described: Executions[] = [];
  for (let i = 0; i < builds.length; i += 5) {
    described.push(...(await Promise.all(builds.slice(i, i + 5).map(async (b) => (await describeExecutions(clients, target, b, true)).refs))));
  }
  const rows: PipelinesOutput['builds'] = [];
  for (const [i, build] of builds.entries()) {
    const refs = described[i];
    rows.push({
      build: build.buildKey,
      codeBuildStatus: build.status ?? null,
      commit: build.commit ?? null,
      image: build.image ?? null,
      eventTime: build.eventTime ?? null,
      released: build.releasedAt !== undefined,
      current: current?.buildKey === build.buildKey,
      pipelineError: build.pipelineError ?? null,
      executions: refs,
    });
  }
  return { app, region: target.region, account: target.account, currentRelease: current?.buildKey ?? null, builds: rows };
}

function cell(ref: ExecutionRef | null): string {
  if (!ref) return '-';
  if (ref.superseded) return `${supersededText(ref.superseded)} ${formatDuration(ref.durationSeconds)}`;
  const base = `${ref.status} ${formatDuration(ref.durationSeconds)}`;
  return ref.failedStep ? `${base} at "${escapeForTerminal(ref.failedStep)}"` : base;
}

/** Human output of `pipelines`. */
export function renderPipelines(out: PipelinesOutput): string {
  if (out.builds.length === 0) return `no builds recorded for ${out.app} (${out.region}, account ${out.account})`;
  const header = ['BUILD', 'STARTED', 'CODEBUILD', 'COMMIT', 'BUILD PIPELINE', 'RELEASE', 'DEPLOY'];
  const rows = out.builds.map((b) => [
    `${b.build}${b.current ? ' *' : ''}`,
    short(b.executions.build?.startedAt ?? b.eventTime),
    b.codeBuildStatus ?? '-',
    (b.commit ?? '-').slice(0, 8),
    cell(b.executions.build),
    cell(b.executions.release),
    cell(b.executions.deploy),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const failures = out.builds.flatMap((b) =>
    PIPELINES.map((p) => b.executions[p]).filter((r): r is ExecutionRef => r !== null && isFailed(r.status)).map((r) => `  build ${b.build} ${r.pipeline}: ${escapeForTerminal(r.error ?? '')}${r.cause ? ` — ${escapeForTerminal(summariseCause(r.cause, { max: 200, error: r.error }))}` : ''}`),
  );
  return [
    `${out.app} (${out.region}, account ${out.account}); current release: ${out.currentRelease ?? 'none'} (*)`,
    line(header),
    ...rows.map(line),
    ...(failures.length > 0 ? ['', 'failures:', ...failures] : []),
  ].join('\n');
}
