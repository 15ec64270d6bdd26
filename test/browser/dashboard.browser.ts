/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against `slipway local
 * serve` and its local OpenID Connect issuer (people `example-dev` and `docs-dev`, each given one app):
 * sign-in, an incident seen and handled from the page (a failed release redriven, a rollback), logs
 * followed, config read, a person of one app who cannot see the other, keyboard use and an axe-core check. Run with `npm run test:browser` (it builds dist/web/ first); kept out of `npm test`.
 * The tests run in order against one endpoint: each continues the story of the one before.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startServe, type Serve } from './harness';

const WAIT = { timeout: 30_000 };

let serve: Serve;
let browser: Browser;
let page: Page;

/** The CLI's exit status is the pipeline's: a failed run is the expected outcome of some steps here. */
async function cliMayFail(...args: string[]): Promise<void> {
  await serve.cli(...args).catch(() => undefined);
}

async function axeFindings(p: Page): Promise<{ id: string; impact: string; help: string; nodes: number }[]> {
  await p.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  // Evaluated in the page (a string: this file is type-checked without the DOM's types).
  return p.evaluate<{ id: string; impact: string; help: string; nodes: number }[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`);
}

/** Text of the focused element. */
function focused(p: Page): Promise<string | null> {
  return p.evaluate<string | null>('document.activeElement?.textContent ?? null');
}

/** Opens the dashboard as `person` (the local issuer signs them in at once with login_hint), at `hash`. */
async function signIn(p: Page, person: string, hash = ''): Promise<void> {
  await p.goto(`${serve.dashboard}?login_hint=${person}${hash}`);
  await p.getByText(`${person}@`, { exact: false }).first().waitFor(WAIT);
}

/** Opens an action's dialog with `button`, waits for the dry run's plan, confirms, and waits until it started. */
async function confirmAction(p: Page, button: ReturnType<Page['getByRole']>, screenshot?: string): Promise<string> {
  await button.click();
  const dialog = p.locator('dialog[open]');
  await dialog.getByTestId('plan').waitFor(WAIT);
  const shown = await dialog.innerText();
  if (screenshot) await p.screenshot({ path: screenshotPath(screenshot) });
  await dialog.getByTestId('confirm').click();
  await dialog.getByTestId('action-started').waitFor(WAIT);
  await dialog.getByTestId('close').click();
  await dialog.waitFor({ state: 'detached', ...WAIT });
  return shown;
}

function serious(findings: { impact: string }[]) {
  return findings.filter((f) => f.impact === 'serious' || f.impact === 'critical');
}

describe('the dashboard against slipway local serve', () => {
  before(async () => {
    serve = await startServe('test/fixtures/browser/world.json');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('shows each app with its release, its processes\' builds and tasks, and its last pipeline', async () => {
    await serve.cli('local', 'event', 'test/fixtures/serve/push-42.json');
    await serve.cli('watch', 'example', '42');
    await signIn(page, 'example-dev');
    const card = page.getByTestId('app-example');
    await card.getByTestId('current-release').getByText('build 42').waitFor(WAIT);
    assert.match(await card.getByTestId('process-web').innerText(), /build 42\s+2\/2/);
    assert.match(await card.getByTestId('process-worker').innerText(), /build 42\s+1\/1/);
    assert.match(await card.getByTestId('last-run').innerText(), /build 42\s+deployed/);
    // example-dev is given example only: docs is not on the page.
    assert.equal(await page.getByTestId('app-docs').count(), 0);
    await page.screenshot({ path: screenshotPath('dashboard-apps.png') });
  });

  it('shows a failed deploy where it failed: the step, its error and cause, the step\'s logs, and what to do', async () => {
    await serve.cli('local', 'fix', 'test/fixtures/serve/release-fails.json');
    await serve.cli('local', 'event', 'test/fixtures/serve/push-43.json');
    await cliMayFail('watch', 'example', '43');
    const card = page.getByTestId('app-example');
    const failure = card.getByTestId('failure');
    await failure.waitFor(WAIT);
    assert.match(await failure.innerText(), /release failed at “Run release task”/);
    assert.equal(await failure.getByTestId('failure-error').innerText(), 'ReleaseFailed');
    assert.match(await failure.getByTestId('failure-cause').innerText(), /exit|Exit/);
    assert.match((await failure.getByRole('link', { name: /Logs of “Run release task”/ }).getAttribute('href')) ?? '', /^https:\/\/.*console\.aws\.amazon\.com\/cloudwatch\//);
    await failure.getByRole('button', { name: 'Redrive build 43' }).waitFor(WAIT);
    await page.screenshot({ path: screenshotPath('dashboard-apps-failed.png') });

    await page.getByRole('link', { name: 'example', exact: true }).first().click();
    const run = page.getByTestId('run-43');
    await run.getByTestId('failure').waitFor(WAIT);
    assert.match(await run.getByTestId('run-state').innerText(), /failed/);
    assert.match(await run.innerText(), /Build succeeded[\s\S]*release failed at “Run release task”/);
    assert.match(await page.getByTestId('current-release').innerText(), /build 42/);
    await page.screenshot({ path: screenshotPath('dashboard-runs-failed.png'), fullPage: true });
  });

  it('redrives the failed run from the page after showing what it will do, and follows it live until it succeeds', async () => {
    await serve.cli('local', 'fix', 'test/fixtures/serve/release-fixed.json');
    const run = page.getByTestId('run-43');
    const shown = await confirmAction(page, run.getByRole('button', { name: 'Redrive build 43' }), 'dashboard-redrive.png');
    assert.match(shown, /slipway redrive example 43/);
    // Nothing on the page is reloaded by hand: it polls the records.
    await run.getByText('Redrive succeeded').waitFor(WAIT);
    await run.getByTestId('run-state').getByText('deployed').waitFor(WAIT);
    // The failure that was redriven stays in the timeline: failed at its step, redriven, then succeeded.
    // (The redriven release succeeds once it has started the deploy: "Redrive succeeded" may come before or after "Deployed".)
    const timeline = await run.getByTestId('timeline').innerText();
    assert.match(timeline, /release failed at “Run release task”\s+ReleaseFailed[\s\S]*Redriven \(1\)[\s\S]*Release succeeded[\s\S]*Deploy started/);
    assert.match(timeline, /Redriven \(1\)[\s\S]*Redrive succeeded/);
    assert.match(timeline, /Deploy started[\s\S]*Deployed/);
    await page.getByTestId('current-release').getByText('build 43').waitFor(WAIT);
    assert.equal(await run.getByTestId('failure').count(), 0);
    await page.getByTestId('process-web').getByText('build 43').waitFor(WAIT);
  });

  it('rolls back after showing the diff and the plan', async () => {
    const release = page.getByTestId('release-42');
    await release.waitFor(WAIT);
    const shown = await confirmAction(page, release.getByRole('button', { name: 'Roll back to build 42' }), 'dashboard-rollback.png');
    assert.match(shown, /From build 43 to build 42/);
    assert.match(shown, /web\s+slipway-example--web:\d+\s+slipway-example--web:\d+/);
    assert.match(shown, /slipway rollback example --to 42/);
    await page.getByTestId('current-release').getByText('build 42').waitFor(WAIT);
    await page.getByTestId('process-web').getByText('build 42').waitFor(WAIT);
  });

  it('shows, live, where a run in progress is: the release, the deploy, each process type, from the records alone', async () => {
    // Build 44: its web deployment takes 480 simulated seconds (8 s here), worker's 60 (1 s).
    await serve.cli('local', 'fix', 'test/fixtures/serve/web-deploys-slowly.json');
    await serve.cli('local', 'event', 'test/fixtures/serve/push-44.json');
    // Opened as the push lands (an idle page would notice the new run only at its next 10 s read).
    await page.reload();
    const run = page.getByTestId('run-44');
    await run.getByTestId('run-stage').getByText('Deploying web (worker deployed)').waitFor(WAIT);
    assert.match(await run.getByTestId('run-state').innerText(), /deploying|in progress/);
    assert.match(await run.getByTestId('timeline').innerText(), /Release started[\s\S]*Release succeeded[\s\S]*Deploy started\s+web, worker[\s\S]*worker deployed[\s\S]*Deploying web \(worker deployed\)/);
    await page.screenshot({ path: screenshotPath('dashboard-run-in-progress.png') });
    await run.getByTestId('run-state').getByText('deployed').waitFor(WAIT);
    assert.equal(await run.getByTestId('run-stage').count(), 0);
    assert.match(await run.getByTestId('timeline').innerText(), /web deployed[\s\S]*Deployed/);
    await page.getByTestId('current-release').getByText('build 44').waitFor(WAIT);
  });

  it('follows a process type\'s logs as lines arrive', async () => {
    const ssm = new SSMClient({ endpoint: serve.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const settings = JSON.parse((await ssm.send(new GetParameterCommand({ Name: '/slipway/apps/example/settings' }))).Parameter?.Value ?? '{}') as { processes: Record<string, { logGroup: string }> };
    const group = settings.processes.web.logGroup;
    const logs = new CloudWatchLogsClient({ endpoint: serve.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web/web/task1' }));
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web/web/task1', logEvents: [{ timestamp: Date.now(), message: 'GET /health 200 first-line' }] }));
    await page.getByTestId('processes').getByRole('link', { name: 'logs of web' }).click();
    const lines = page.getByTestId('log-lines');
    await lines.getByText('first-line').waitFor(WAIT);
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web/web/task1', logEvents: [{ timestamp: Date.now(), message: 'GET /orders 500 second-line' }] }));
    await lines.getByText('second-line').waitFor(WAIT);
    assert.equal(await lines.getByText('first-line').count(), 1);
    await page.screenshot({ path: screenshotPath('dashboard-logs.png') });
  });

  it('hides secret config values until asked, and shows scale and schedules', async () => {
    await page.goto(`${serve.dashboard}#/apps/example/config`);
    await page.reload();
    const row = page.getByTestId('key-DATABASE_URL');
    await row.waitFor(WAIT);
    assert.doesNotMatch(await page.innerText('main'), /s3cret-password/);
    assert.match(await page.getByTestId('key-LOG_LEVEL').innerText(), /info/);
    await row.getByRole('button', { name: 'Show DATABASE_URL' }).click();
    await row.getByTestId('secret-value').getByText('s3cret-password', { exact: false }).waitFor(WAIT);
    assert.match(await page.getByTestId('scale').innerText(), /web\s+2/);
    await page.screenshot({ path: screenshotPath('dashboard-config.png'), fullPage: true });
  });

  it('is usable with the keyboard alone', async () => {
    await page.goto(`${serve.dashboard}#/`);
    await page.reload();
    await page.getByTestId('app-example').waitFor(WAIT);
    // The first Tab reaches the skip link; the apps' links follow in the header.
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Skip to content');
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>(`document.activeElement?.getAttribute('href') === '#/apps/example'`);
    }
    assert.ok(reached, 'Tab reaches the link to the app');
    await page.keyboard.press('Enter');
    await page.getByTestId('runs').waitFor(WAIT);
    // Focus moves to the new page's heading.
    assert.equal(await page.evaluate<string>(`document.activeElement?.tagName + ':' + document.activeElement?.textContent`), 'H1:example');
    // A dialog opened from the keyboard takes focus and Escape gives it back.
    const button = page.getByRole('button', { name: 'Roll back to build 43' });
    await button.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor(WAIT);
    assert.ok(await page.evaluate<boolean>(`!!document.activeElement?.closest('dialog[open]')`), 'focus is inside the open dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await focused(page), 'Roll back to build 43');
  });

  it('shows a person of docs nothing of example, and never calls AWS about it', async () => {
    const other = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const bodies: string[] = [];
    other.on('request', (r) => {
      if (/\.localhost:\d+\/$/.test(r.url()) && !r.url().includes('//sts.')) bodies.push(`${r.url()} ${r.postData() ?? ''}`);
    });
    try {
      await signIn(other, 'docs-dev');
      await other.getByTestId('app-docs').getByText('no builds yet').waitFor(WAIT);
      assert.equal(await other.getByTestId('app-example').count(), 0);
      assert.deepEqual(await other.getByRole('navigation', { name: 'Apps' }).getByRole('link').allInnerTexts(), ['docs']);
      await other.goto(`${serve.dashboard}#/apps/example`);
      await other.getByTestId('not-allowed').waitFor(WAIT);
      await other.goto(`${serve.dashboard}#/apps/example/logs/web`);
      await other.getByTestId('not-allowed').waitFor(WAIT);
      await other.screenshot({ path: screenshotPath('dashboard-other-app.png') });
      assert.ok(bodies.length > 0, 'the page called AWS for docs');
      // (STS is left out: its body is the ID token, which names the person, not an app's resources.)
      assert.deepEqual(bodies.filter((b) => b.includes('example')), []);
    } finally {
      await other.close();
    }
  });

  it('has no serious or critical axe-core findings on its pages', async () => {
    const found: Record<string, unknown> = {};
    for (const [name, hash, ready] of [
      ['apps', '#/', 'app-example'],
      ['app', '#/apps/example', 'runs'],
      ['logs', '#/apps/example/logs/web', 'log-lines'],
      ['config', '#/apps/example/config', 'config-keys'],
    ] as const) {
      await page.goto(`${serve.dashboard}${hash}`);
      await page.reload();
      await page.getByTestId(ready).waitFor(WAIT);
      const bad = serious(await axeFindings(page));
      if (bad.length) found[name] = bad;
    }
    assert.deepEqual(found, {});
  });
});
