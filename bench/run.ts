/**
 * `npm run bench [-- --smoke] [-- --out DIR]`: measures what the control plane costs and how fast it
 * answers, each figure beside its baseline, and writes BENCHMARKS.md and BENCHMARKS.json to DIR
 * (default: the repository root). Method: the "Method" section of BENCHMARKS.md (bench/report.ts).
 * `npm run bench -- --only apps [--out DIR]`: section 6 (apps per account) alone, printed; with --out
 * also written to DIR/apps-per-account.md and .json (BENCHMARKS.md is left as it is).
 * Exit codes: 0 written, 1 a measurement failed, 2 usage.
 */
import '../lib/local/polyfills';
import '../lib/local/quiet';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureAppsPerAccount } from './apps-per-account';
import { appsPerAccountGoals } from './apps-per-account-goals';
import { coldStart, FLOOR, handlerNames, ONE_CLIENT, prepareBundles } from './cold-start';
import { measureDatabase } from './database';
import { FLEET_SIZES, measureFleets } from './fleet';
import { fleetGoals, renderFleet } from './fleet-report';
import { measureServe, renderServe, serveGoals } from './serve';
import { dashboardGoals, measureDashboard, renderDashboard } from './dashboard';
import { loopCommands, startupCommands, STARTUP_RUNS, timeCommand } from './dev-loop';
import { measurePipeline, type PipelineVariant } from './pipeline';
import { evaluateGoals, renderAppsPerAccount, renderGoals, renderMarkdown, type BenchResults, type CostRow } from './report';
import { LAMBDA_ASSUMPTIONS, summarize } from './stats';

const ROOT = resolve(__dirname, '..');

/** Settle times of section 1; 1790 s sits just inside the example app's 30-minute deploy timeout. */
const SETTLE_SECONDS = [60, 600, 1790, 1800];
/**
 * Repeated developer-loop runs (the slowest part) stop once the bench has run this long, so that it
 * ends within 5 minutes on a busy 2-core machine; the report shows how many runs were made.
 */
const BUDGET_SECONDS = 240;

const SETTLE_NOTES: Record<number, string> = { 1790: 'just inside the 30-min deploy timeout', 1800: "= the example app's deployTimeoutMinutes: the wait times out and the final check finds the deployment completed" };

class UsageError extends Error {
  public override readonly name = 'UsageError';
}

/** Sections that run alone with `--only`. */
const ONLY = ['apps', 'fleet', 'serve', 'dashboard'] as const;
const USAGE = 'usage: npm run bench [-- --smoke] [-- --out DIR] [-- --only apps|fleet|serve|dashboard]';

function options(argv: string[]): { smoke: boolean; out: string; outGiven: boolean; only?: (typeof ONLY)[number] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { smoke: { type: 'boolean', default: false }, out: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean', default: false } }, strict: true }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; ${USAGE}`);
  }
  if (parsed.help) {
    console.log(
      `${USAGE}\n  --smoke  one run of each figure, npm test skipped (CI)\n  --out    folder for BENCHMARKS.md and BENCHMARKS.json (default: the repository root)\n  --only   one section alone, printed: "apps" (section 6, apps per account) or "fleet" (section 7, with --smoke its smaller sizes) or "serve" (section 8, slipway local serve) or "dashboard" (section 9, the dashboard's size and apps page in Chromium); with --out also written to DIR/<section>.md and .json`,
    );
    process.exit(0);
  }
  const only = parsed.only;
  if (only !== undefined && !(ONLY as readonly string[]).includes(only)) throw new UsageError(`--only ${only}: no such section (one of: ${ONLY.join(', ')}); ${USAGE}`);
  return { smoke: parsed.smoke ?? false, out: resolve(parsed.out ?? ROOT), outGiven: parsed.out !== undefined, only: only as (typeof ONLY)[number] | undefined };
}

const step = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** Section 6 into a throwaway folder (six cloud assemblies), removed afterwards. */
function appsPerAccount() {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-apps-'));
  try {
    return measureAppsPerAccount(ROOT, dir, (text) => step(`  ${text}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A section run alone (`--only`): printed with its goals; written to DIR as <file>.md and <file>.json only when --out names it. */
function printSection(file: string, md: string, json: Record<string, unknown>, out: string, outGiven: boolean): void {
  process.stdout.write(md);
  if (!outGiven) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${file}.json`), `${JSON.stringify({ generatedAt: new Date().toISOString(), ...json }, null, 2)}\n`);
  writeFileSync(join(out, `${file}.md`), md);
  step(`wrote ${join(out, `${file}.md`)} and ${file}.json`);
}

/** `--only apps`: section 6 alone, printed with its goals; written to DIR only when --out names it. */
function onlyApps(out: string, outGiven: boolean): void {
  step('apps per account (6 synths)');
  const apps = appsPerAccount();
  const goals = appsPerAccountGoals(apps);
  const md = `${renderAppsPerAccount(apps)}\n${renderGoals(goals)}\n`;
  printSection('apps-per-account', md, { appsPerAccount: apps, goals }, out, outGiven);
}

/** `--only serve`: section 8 alone, printed with its goals; written to DIR only when --out names it. */
async function onlyServe(smoke: boolean, out: string, outGiven: boolean): Promise<void> {
  step('slipway local serve');
  const serve = await measureServe(ROOT, smoke, (text) => step(`  ${text}`));
  const goals = serveGoals(serve);
  const md = `${renderServe(serve)}\n${renderGoals(goals)}\n`;
  printSection('serve', md, { mode: smoke ? 'smoke' : 'full', serve, goals }, out, outGiven);
}

/** `--only dashboard`: section 9 alone, printed with its goals; written to DIR only when --out names it. */
async function onlyDashboard(smoke: boolean, out: string, outGiven: boolean): Promise<void> {
  step('the dashboard');
  const dashboard = await measureDashboard(ROOT, smoke, (text) => step(`  ${text}`));
  const goals = dashboardGoals(dashboard);
  const md = `${renderDashboard(dashboard)}\n${renderGoals(goals)}\n`;
  printSection('dashboard', md, { mode: smoke ? 'smoke' : 'full', dashboard, goals }, out, outGiven);
}

/** `--only fleet`: section 7 alone, printed with its goals; written to DIR only when --out names it. */
async function onlyFleet(smoke: boolean, out: string, outGiven: boolean): Promise<void> {
  step(`fleet (${FLEET_SIZES[smoke ? 'smoke' : 'full'].join(' and ')} apps)`);
  const fleet = await measureFleets(ROOT, FLEET_SIZES[smoke ? 'smoke' : 'full'], (text) => step(`  ${text}`));
  const goals = fleetGoals(fleet);
  const md = `${renderFleet(fleet)}\n${renderGoals(goals)}\n`;
  printSection('fleet', md, { mode: smoke ? 'smoke' : 'full', fleet, goals }, out, outGiven);
}

async function main(): Promise<void> {
  const { smoke, out, outGiven, only } = options(process.argv.slice(2));
  if (only === 'apps') return onlyApps(out, outGiven);
  if (only === 'fleet') return onlyFleet(smoke, out, outGiven);
  if (only === 'serve') return onlyServe(smoke, out, outGiven);
  if (only === 'dashboard') return onlyDashboard(smoke, out, outGiven);
  const runs = smoke ? { pipeline: 1, latency: 1, coldStart: 1, database: 1, synth: 1, test: 0, start: 1 } : { pipeline: 3, latency: 5, coldStart: 8, database: 10, synth: 2, test: 1, start: 3 };
  const started = process.hrtime.bigint();
  const elapsedSeconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const loadAverageAtStart = loadavg();

  // 1. Control-plane cost per release.
  step('1/9 control-plane cost (local runs)');
  const cost: CostRow[] = [];
  for (const settleSeconds of SETTLE_SECONDS) {
    const per = async (variant: PipelineVariant) => {
      const samples = [];
      for (let i = 0; i < runs.pipeline; i++) {
        const s = await measurePipeline(variant, settleSeconds, ROOT);
        if (!s.succeeded) throw new Error(`the ${variant} pipeline did not succeed with deployments settling after ${settleSeconds} s`);
        samples.push(s);
      }
      return { transitions: summarize(samples.map((s) => s.stateTransitions)), lambdaInvocations: summarize(samples.map((s) => s.lambdaInvocations)) };
    };
    cost.push({ settleSeconds, note: SETTLE_NOTES[settleSeconds], slipway: await per('slipway'), polling: await per('polling') });
  }

  // 2. Orchestration latency: completion at different points of the 15-second polling interval.
  step('2/9 orchestration latency');
  const latencySettle = Array.from({ length: runs.latency }, (_, i) => 60 + Math.floor((i * 15) / runs.latency));
  const latency = async (variant: PipelineVariant) => {
    const values: number[] = [];
    for (const s of latencySettle) {
      const sample = await measurePipeline(variant, s, ROOT);
      if (!sample.succeeded) throw new Error(`the ${variant} pipeline did not succeed (latency run, ${s} s)`);
      values.push(sample.latencySeconds);
    }
    return summarize(values);
  };
  const latencyResults = { slipway: await latency('slipway'), polling: await latency('polling'), settleSeconds: latencySettle };

  // 3. Lambda cold start.
  step('3/9 Lambda cold start (bundling, then fresh node processes)');
  const names = handlerNames();
  const bundles = await prepareBundles(names);
  const floor = FLOOR;
  const samples = new Map<string, { processMs: number[]; loadMs: number[] }>([floor, ONE_CLIENT, ...names].map((n) => [n, { processMs: [], loadMs: [] }]));
  try {
    for (let i = 0; i < runs.coldStart; i++) {
      for (const n of [floor, ONE_CLIENT, ...names]) {
        const s = coldStart(bundles, n, ROOT);
        samples.get(n)?.processMs.push(s.processMs);
        samples.get(n)?.loadMs.push(s.loadMs);
      }
    }
  } finally {
    bundles.dispose();
  }
  const summarizeCold = (n: string) => {
    const s = samples.get(n) ?? { processMs: [], loadMs: [] };
    return { processMs: summarize(s.processMs), loadMs: summarize(s.loadMs) };
  };
  const coldStartResults = { floor: summarizeCold(floor), oneClient: summarizeCold(ONE_CLIENT), functions: names.map((n) => ({ name: n, bytes: bundles.sizes[n], ...summarizeCold(n) })) };

  // 4. Database manager.
  step('4/9 database manager (throwaway PostgreSQL)');
  const db = await measureDatabase(runs.database, 50);

  // 5. Developer loop.
  step('5/9 developer loop (cdk synth, npm test, npm start)');
  // Each synth writes to a new, empty cloud assembly folder: CDK skips bundling an asset it finds already staged.
  const cdkOuts: string[] = [];
  const command = (key: 'synth' | 'test' | 'start') => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-cdk-'));
    cdkOuts.push(dir);
    return loopCommands(dir)[key];
  };
  const devLoop: BenchResults['devLoop'] = [];
  try {
    const keys = ['synth', 'test', 'start'] as const;
    const times: Record<(typeof keys)[number], number[]> = { synth: [], test: [], start: [] };
    // One run of each first; the further runs only while the bench is inside its time budget.
    for (const key of keys) if (runs[key] > 0) times[key].push(timeCommand(command(key), ROOT));
    for (const key of keys) {
      while (times[key].length < runs[key] && elapsedSeconds() < BUDGET_SECONDS) times[key].push(timeCommand(command(key), ROOT));
      runs[key] = times[key].length;
    }
    for (const key of keys) {
      const c = command(key);
      devLoop.push(times[key].length > 0 ? { label: c.label, shown: c.shown, ms: summarize(times[key]) } : { label: c.label, shown: c.shown, ms: null, skipped: 'smoke mode: CI has just run it' });
    }
  } finally {
    for (const dir of cdkOuts) rmSync(dir, { recursive: true, force: true });
  }
  // The CLI's start-up beside `node -e 0`, alternating so both see the same machine load.
  const startup = startupCommands();
  const startupTimes: Record<'node' | 'help', number[]> = { node: [], help: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) for (const key of ['node', 'help'] as const) startupTimes[key].push(timeCommand(startup[key], ROOT));
  for (const key of ['node', 'help'] as const) devLoop.push({ label: startup[key].label, shown: startup[key].shown, ms: summarize(startupTimes[key]) });

  // 6. Apps per account: the same six synths in smoke and full mode (counts have no noise).
  step('6/9 apps per account (6 synths)');
  const apps = appsPerAccount();

  // 7. A fleet pushed within one minute, under AWS's default rate limits.
  step(`7/9 fleet (${FLEET_SIZES[smoke ? 'smoke' : 'full'].join(' and ')} apps, local runs)`);
  const fleet = await measureFleets(ROOT, FLEET_SIZES[smoke ? 'smoke' : 'full'], (text) => step(`  ${text}`));

  // 8. slipway local serve: latency beside aws-sdk-client-mock, 100 concurrent clients, ready time.
  step('8/9 slipway local serve');
  const serve = await measureServe(ROOT, smoke, (text) => step(`  ${text}`));

  // 9. The dashboard: JavaScript shipped, apps page usable in Chromium against slipway local serve.
  step('9/9 the dashboard');
  const dashboard = await measureDashboard(ROOT, smoke, (text) => step(`  ${text}`));

  const cpu = cpus();
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    machine: { cpus: cpu.length, cpuModel: cpu[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, loadAverageAtStart, loadAverageAtEnd: loadavg() },
    wallSeconds: elapsedSeconds(),
    budgetSeconds: BUDGET_SECONDS,
    runs,
    lambda: LAMBDA_ASSUMPTIONS,
    cost,
    latency: latencyResults,
    coldStart: coldStartResults,
    database: { statementsPerRun: db.statementsPerRun, manager: summarize(db.managerMs), psql: summarize(db.psqlMs), concurrent: db.concurrent },
    devLoop,
    appsPerAccount: apps,
    fleet,
    serve,
    dashboard,
  };
  const goals = evaluateGoals(results);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'BENCHMARKS.json'), `${JSON.stringify({ ...results, goals }, null, 2)}\n`);
  writeFileSync(join(out, 'BENCHMARKS.md'), `${renderMarkdown(results, goals)}\n`);
  step(`wrote ${join(out, 'BENCHMARKS.md')} and BENCHMARKS.json in ${results.wallSeconds.toFixed(0)} s; goals: ${goals.filter((g) => g.pass).length} pass, ${goals.filter((g) => !g.pass).length} miss`);
}

main().catch((e: unknown) => {
  const err = e as Error;
  process.stderr.write(`bench: ${err.message}\n`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});
