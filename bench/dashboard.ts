import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { LocalEndpoint } from '../lib/local/serve/server';
import { chromiumPath } from '../test/browser/harness';
import { formatNumber, summarize, type GoalResult, type Summary } from './stats';

/**
 * Section 9: the dashboard. What it ships (dist/web/ as `npm run build:web` writes it: the JavaScript's
 * size raw and gzip-compressed, as CloudFront serves it compressed), and how soon its apps page is usable
 * against `slipway local serve`: Debian's Chromium (playwright-core, its executablePath) opens
 * `/dashboard/` in a new browser context each time (nothing cached), signs in at the local issuer as
 * `example-dev` (login_hint), then reloads twice (the hashed scripts now from the browser's cache; at the second reload their code cache too): the figure is the first reload's own clock (`performance.now()`,
 * from the navigation's start) when every app's card shows its processes and last pipeline, as a person
 * signed in opens it. The first visit, sign-in included, is timed too (the bench's clock). The account:
 * the browser tests' world (two apps), build 42 of example deployed.
 */

/** What section 9 measured. */
export interface DashboardResults {
  /** The JavaScript shipped (every .js asset, the chunks loaded on demand included), bytes raw and gzip -9. */
  readonly js: { readonly bytes: number; readonly gzipBytes: number; readonly files: number };
  /** The JavaScript the apps page loads (the entry, the pages and the sign-in's STS chunk, with their static imports). */
  readonly firstPageJs: { readonly bytes: number; readonly gzipBytes: number };
  /** The JavaScript a first visit loads before it sends the person to the identity provider (the entry, web/src/boot.ts, and its static imports). */
  readonly beforeSignInJs: { readonly bytes: number; readonly gzipBytes: number };
  /** Every asset, bytes raw and gzip -9, whether the first page loads it and whether it loads before the redirect to sign in. */
  readonly assets: Record<string, { bytes: number; gzipBytes: number; firstPage: boolean; beforeSignIn?: boolean }>;
  /** The machine's 1-minute load average before and after the page loads (shared machines inflate the figure). */
  readonly loadAverage: readonly [number, number];
  /** Milliseconds from navigation start until the apps page is usable, for a person signed in (a reload: the ID token kept, each app's STS session asked for again). */
  readonly appsPageUsable: Summary;
  /**
   * The same, at the next reload: the browser's code cache (which Chromium writes when a script runs
   * the second time, and reads from the third on) used, as on every later load.
   */
  readonly appsPageUsableAgain: Summary;
  /** Milliseconds from opening the dashboard until the apps page is usable, the first time: the sign-in at the local issuer included (login_hint, no form). */
  readonly firstVisit: Summary;
  readonly apps: number;
  readonly chromium: string;
}

/** Builds dist/web/ (scripts/build-web.mjs) and reads its sizes. */
function buildDashboard(root: string): Pick<DashboardResults, 'js' | 'firstPageJs' | 'beforeSignInJs' | 'assets'> {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-web.mjs')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:web failed: ${r.stderr.slice(0, 500)}`);
  const report = JSON.parse(readFileSync(path.join(root, 'dist', 'web', 'build.json'), 'utf8')) as { assets: DashboardResults['assets'] };
  const js = Object.entries(report.assets).filter(([name]) => name.endsWith('.js'));
  const first = js.filter(([, a]) => a.firstPage);
  const boot = js.filter(([, a]) => a.beforeSignIn);
  const total = (list: typeof js, key: 'bytes' | 'gzipBytes') => list.reduce((n, [, a]) => n + a[key], 0);
  return {
    assets: report.assets,
    js: { bytes: total(js, 'bytes'), gzipBytes: total(js, 'gzipBytes'), files: js.length },
    firstPageJs: { bytes: total(first, 'bytes'), gzipBytes: total(first, 'gzipBytes') },
    beforeSignInJs: { bytes: total(boot, 'bytes'), gzipBytes: total(boot, 'gzipBytes') },
  };
}

/** Measures section 9 (smoke: one page load; full: ten). */
export async function measureDashboard(root: string, smoke: boolean, log: (text: string) => void = () => undefined): Promise<DashboardResults> {
  log('npm run build:web');
  const built = buildDashboard(root);
  const world = JSON.parse(readFileSync(path.join(root, 'test/fixtures/browser/world.json'), 'utf8')) as Record<string, unknown>;
  const endpoint = await LocalEndpoint.start({ rootDir: root, port: 0, speed: 1000, world: { ...world, config: path.join(root, 'config/example.json') } });
  // The local issuer's signing key, made off the main thread once the endpoint listens, as `slipway local serve` does.
  const keys = endpoint.people.issuer.prepareKeys();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    await keys;
    log('build 42 deployed (slipway local event)');
    const event = readFileSync(path.join(root, 'test/fixtures/serve/push-42.json'), 'utf8');
    const res = await fetch(`${endpoint.url}/_slipway/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: event });
    if (!res.ok) throw new Error(`the endpoint refused the push event: ${await res.text()}`);
    const until = Date.now() + 60_000;
    while (!(endpoint.account.run.executions.length >= 3 && endpoint.account.run.executions.every((e) => e.status !== 'RUNNING'))) {
      if (Date.now() > until) throw new Error('build 42 did not finish deploying in 60 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    // example-dev is given one app (the local issuer's default people: one per app).
    const apps = 1;
    const loads = smoke ? 1 : 10;
    log(`apps page usable (${loads} loads, each in a new browser context)`);
    const times: number[] = [];
    const again: number[] = [];
    const first: number[] = [];
    const loadBefore = loadavg()[0];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const usable = `(() => { const cards = document.querySelectorAll('[data-testid^="app-"]'); return cards.length === ${apps} && [...cards].every((c) => c.querySelector('[data-testid="processes"] tbody tr') && c.querySelector('[data-testid="last-run"]')); })()`;
      const t0 = process.hrtime.bigint();
      await page.goto(`${endpoint.url}/dashboard/?login_hint=example-dev`);
      await page.waitForFunction(usable, undefined, { timeout: 30_000, polling: 'raf' });
      first.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await page.reload();
      // Usable: every app's card shows its processes (or that it has none deployed yet).
      await page.waitForFunction(usable, undefined, { timeout: 30_000, polling: 'raf' });
      times.push(await page.evaluate<number>('performance.now()'));
      await page.reload();
      await page.waitForFunction(usable, undefined, { timeout: 30_000, polling: 'raf' });
      again.push(await page.evaluate<number>('performance.now()'));
      await context.close();
    }
    return { ...built, appsPageUsable: summarize(times), appsPageUsableAgain: summarize(again), firstVisit: summarize(first), apps, chromium: browser.version(), loadAverage: [loadBefore, loadavg()[0]] };
  } finally {
    await browser.close();
    await endpoint.close();
  }
}

const kb = (bytes: number) => `${formatNumber(bytes / 1024, 1)} KB`;

/** Section 9's goals (issue 25): the apps page usable within 1 s of load, the JavaScript under 200 KB compressed. */
export function dashboardGoals(r: DashboardResults): GoalResult[] {
  return [
    { goal: 'the dashboard\'s apps page is usable within 1 s of load (local endpoint, signed in, median)', figure: `${formatNumber(r.appsPageUsable.median, 0)} ms (median of ${r.appsPageUsable.n}, max ${formatNumber(r.appsPageUsable.max, 0)} ms)`, pass: r.appsPageUsable.median < 1000 },
    { goal: 'the dashboard ships under 200 KB of JavaScript compressed', figure: `${kb(r.js.gzipBytes)} gzip in all, ${kb(r.firstPageJs.gzipBytes)} for the apps page`, pass: r.js.gzipBytes < 200 * 1024 },
  ];
}

/** Section 9 of BENCHMARKS.md. */
export function renderDashboard(r: DashboardResults, section = 9): string {
  return [
    `## ${section}. The dashboard`,
    '',
    `What \`npm run build:web\` writes to dist/web/: ${r.js.files} JavaScript files, ${kb(r.js.bytes)} (${kb(r.js.gzipBytes)} gzip -9) in all, of which the apps page loads ${kb(r.firstPageJs.bytes)} (${kb(r.firstPageJs.gzipBytes)}); the logs and config pages and signing an action are chunks loaded when first used. A first visit runs only the entry (config.json and the sign-in, no AWS SDK: ${kb(r.beforeSignInJs.bytes)}, ${kb(r.beforeSignInJs.gzipBytes)} gzip) before it sends the person to the identity provider, and fetches the pages and the sign-in's STS chunk into the cache meanwhile (counted in the apps page's share).`,
    '',
    `The apps page against \`slipway local serve\` (a person of one app, its release deployed), opened in ${r.chromium === '' ? 'Chromium' : `Chromium ${r.chromium}`} in a new browser context each time. Signed in (a reload in that context: index.html and config.json revalidated, the hashed scripts from the browser's cache, as when a person opens it again), usable (the app's card shows its processes and last pipeline) after a median of ${formatNumber(r.appsPageUsable.median, 0)} ms from the navigation's start (min ${formatNumber(r.appsPageUsable.min, 0)}, max ${formatNumber(r.appsPageUsable.max, 0)}, ${r.appsPageUsable.n} loads), the page's own clock; at the next reload (the browser's code cache, which Chromium writes when a script runs the second time, used from the third on) ${formatNumber(r.appsPageUsableAgain.median, 0)} ms (max ${formatNumber(r.appsPageUsableAgain.max, 0)}). The first visit (nothing cached), with the sign-in at the local issuer: median ${formatNumber(r.firstVisit.median, 0)} ms (max ${formatNumber(r.firstVisit.max, 0)}). The machine's load average (1 min) was ${formatNumber(r.loadAverage[0], 1)} before and ${formatNumber(r.loadAverage[1], 1)} after, on ${cpus().length} CPUs: the page's parse and the endpoint share them.`,
    '',
  ].join('\n');
}
