import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchInputError } from './stats';
import { CONFIG_CONTEXT_KEY } from '../lib/deployment-config';
import { isJsonObject, type JsonObject } from '../domain/json';
import type { Assembly, CfnTemplate } from './template-counts';

/** The section's only I/O: the configs of 1, 2 and 3 apps derived from the example config, and their synth. */

/** A config derived from `example`: its prefix, clusters and databases, and `apps` copies of one of its apps. */
export function benchConfig(example: JsonObject, apps: number, production: boolean): { config: JsonObject; baseApp: string } {
  const list = Array.isArray(example.apps) ? (example.apps as JsonObject[]) : [];
  const base = list.find((a) => isJsonObject(a.processes) && 'web' in a.processes && 'worker' in a.processes) ?? list[0];
  if (!base) throw new BenchInputError('the example config has no app to copy');
  if (!isJsonObject(base.processes)) throw new BenchInputError(`app "${String(base.name)}" of the example config has no processes`);
  const processes = { web: base.processes.web, worker: base.processes.worker ?? base.processes.web };
  const { database: _database, databaseRemovalPolicy: _policy, scaleToZero: _schedule, ...rest } = base;
  const made = Array.from({ length: apps }, (_, i) => {
    const name = `bench-${i + 1}`;
    const hostname = typeof base.hostname === 'string' ? `${name}.${base.hostname.split('.').slice(1).join('.')}` : undefined;
    const repository = isJsonObject(base.repository) ? { ...base.repository, name } : base.repository;
    return { ...rest, name, repository, processes, production, ...(hostname ? { hostname } : {}) };
  });
  // People's sign-in (issue 25) is counted too: the people role, its per-slot policies, the OIDC provider,
  // the dashboard's bucket, distribution and actions function. A stand-in provider when the example has none.
  const account = isJsonObject(example.account) ? example.account : {};
  const signIn = isJsonObject(account.signIn) ? account.signIn : BENCH_SIGN_IN;
  return { config: { ...example, account: { ...account, signIn }, apps: made }, baseApp: String(base.name) };
}

/** The provider the bench's configs sign people in with when the example config names none (never contacted: synth only). */
export const BENCH_SIGN_IN = { issuer: 'https://login.example.com', clientId: 'slipway-dashboard' } as const;

/** A stand-in for the built dashboard (dist/web/): the account stack uploads whatever folder it is given, and the bench counts resources, not files. */
function standInDashboard(outDir: string): string {
  const dir = join(outDir, 'dashboard-web');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench stand-in</title>\n');
  return dir;
}

/**
 * Synthesizes the CDK app with cdk.json's `app` command (as `cdk synth` does: CDK_OUTDIR and
 * CDK_CONTEXT_JSON), for `config`, into `outDir`, and reads every stack's template. Lambda bundling is
 * skipped (`aws:cdk:bundling-stacks` empty: assets are placeholders, the templates are the same) and so is
 * CDK's built-in CloudFormation validation (CDK_VALIDATION=false: warnings only); cdk-nag still runs.
 * @throws Error naming the command and the end of its output when synth fails.
 */
export function synthAssembly(root: string, config: JsonObject, outDir: string): { assembly: Assembly; ms: number } {
  mkdirSync(outDir, { recursive: true });
  const configFile = join(outDir, 'slipway-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { app?: string; context?: JsonObject };
  if (!cdkJson.app) throw new BenchInputError('cdk.json names no "app" command');
  const context = { ...(cdkJson.context ?? {}), [CONFIG_CONTEXT_KEY]: configFile, 'slipway:dashboardDir': standInDashboard(outDir), 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true };
  const cdkOut = join(outDir, 'cdk.out');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cdkJson.app, { cwd: root, shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_OUTDIR: cdkOut, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_VALIDATION: 'false' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const manifestFile = join(cdkOut, 'manifest.json');
  if (r.status !== 0 || !existsSync(manifestFile)) {
    // The message, not the stack trace under it: drop "at ..." frames, Node's version line and blank lines.
    const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^Node\.js v/.test(l));
    const tail = lines.slice(-6).join('\n');
    throw new Error(`synth of ${Array.isArray(config.apps) ? config.apps.length : '?'} app(s) failed (\`${cdkJson.app}\`, exit ${r.status ?? r.signal}):\n${tail}`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, { type?: string; properties?: { templateFile?: string } }> };
  const assembly: Record<string, CfnTemplate> = {};
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      assembly[name] = JSON.parse(readFileSync(join(cdkOut, artifact.properties.templateFile), 'utf8')) as CfnTemplate;
    }
  }
  return { assembly, ms };
}
