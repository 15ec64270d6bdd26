import type { FleetResults } from './fleet';
import { fleetGoals, renderFleet } from './fleet-report';
import { renderServe, serveGoals, type ServeResults } from './serve';
import { dashboardGoals, renderDashboard, type DashboardResults } from './dashboard';
import type { AppsPerAccountResults } from './apps-per-account';
import { appsPerAccountGoals, bindingQuota } from './apps-per-account-goals';
import type { VariantResults } from './app-variant';
import { PARAMETER_QUOTAS, type ConfigKeysResults } from './config-key-quotas';
import { FREE_WHILE_IDLE, IDLE_PRICES } from './idle-cost';
import type { QuotaFigure } from './quotas';
import {
  formatNumber,
  formatRatio,
  formatSummary,
  formatUsd,
  goalFewerTransitions,
  goalTransitionsIndependent,
  goalUnder,
  goalWithinFactor,
  markdownTable,
  pricePer1000Releases,
  PRICES,
  ratioOfMedians,
  type GoalResult,
  type LambdaAssumptions,
  type Summary,
} from './stats';

/** One settle time of section 1, both variants. */
export interface CostRow {
  readonly settleSeconds: number;
  readonly note?: string;
  readonly slipway: { transitions: Summary; lambdaInvocations: Summary };
  readonly polling: { transitions: Summary; lambdaInvocations: Summary };
}

/** Everything one bench run measured (the JSON file), from which BENCHMARKS.md is rendered. */
export interface BenchResults {
  readonly generatedAt: string;
  readonly mode: 'full' | 'smoke';
  readonly machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  readonly wallSeconds: number;
  /** Further developer-loop runs are made only while the bench has run less than this. */
  readonly budgetSeconds: number;
  readonly runs: { pipeline: number; latency: number; coldStart: number; database: number; synth: number; test: number; start: number };
  readonly lambda: LambdaAssumptions;
  readonly cost: CostRow[];
  readonly latency: { slipway: Summary; polling: Summary; settleSeconds: number[] };
  readonly coldStart: {
    readonly floor: { processMs: Summary; loadMs: Summary };
    /** Reference: a handler that only builds one AWS SDK client. */
    readonly oneClient: { processMs: Summary; loadMs: Summary };
    readonly functions: { name: string; bytes: number; processMs: Summary; loadMs: Summary }[];
  };
  readonly database: {
    readonly statementsPerRun: number;
    readonly manager: Summary;
    readonly psql: Summary;
    readonly concurrent: { calls: number; wallMs: number; succeeded: number; errors: string[]; catalogOk: number; psqlSequentialMs: number };
  };
  readonly devLoop: { label: string; shown: string; ms: Summary | null; skipped?: string }[];
  /** Section 6 (absent in results written before it existed). */
  readonly appsPerAccount?: AppsPerAccountResults;
  /** Section 7 (absent in results written before it existed). */
  readonly fleet?: FleetResults;
  /** Section 8: slipway local serve. */
  readonly serve?: ServeResults;
  /** Section 9: the dashboard. */
  readonly dashboard?: DashboardResults;
}

/** The goals table: goal, measured figure (and why, when the figure alone does not say), pass or **miss**. */
export function renderGoals(goals: readonly GoalResult[]): string {
  return markdownTable(['goal', 'measured', 'result'], goals.map((g) => [g.goal, g.figure + (g.note ? ` — ${g.note}` : ''), g.pass ? 'pass' : '**miss**']));
}

/** Settle time the goals compare Slipway and polling at. */
export const GOAL_SETTLE_SECONDS = 600;

/** The issue's goals, evaluated on one run's results. */
export function evaluateGoals(r: BenchResults): GoalResult[] {
  const goals: GoalResult[] = [];
  goals.push({
    ...goalTransitionsIndependent(r.cost.map((c) => ({ settleSeconds: c.settleSeconds, transitions: c.slipway.transitions }))),
    note: 'every settle time measured, including the one at the deploy timeout (see its note in section 1)',
  });
  const at = r.cost.find((c) => c.settleSeconds === GOAL_SETTLE_SECONDS);
  if (at) goals.push(goalFewerTransitions(at.slipway.transitions, at.polling.transitions, GOAL_SETTLE_SECONDS));
  goals.push(goalUnder('orchestration latency under 1 s (simulated)', r.latency.slipway, 1, 's'));
  for (const f of r.coldStart.functions) {
    goals.push(goalWithinFactor(`cold start of ${f.name} within 1.5x of the floor`, f.processMs, r.coldStart.floor.processMs, 1.5));
  }
  goals.push(goalWithinFactor('database manager within 1.5x of psql (createDatabase + enableIamAuth + runSql)', r.database.manager, r.database.psql, 1.5));
  if (r.appsPerAccount) goals.push(...appsPerAccountGoals(r.appsPerAccount));
  if (r.fleet) goals.push(...fleetGoals(r.fleet));
  if (r.serve) goals.push(...serveGoals(r.serve));
  if (r.dashboard) goals.push(...dashboardGoals(r.dashboard));
  return goals;
}

const sum = (s: Summary) => formatSummary(s, '', 1);
const ms = (s: Summary) => formatSummary(s, 'ms', 1);

/** BENCHMARKS.md: method, every section with its baseline side by side, goals with pass/miss. */
export function renderMarkdown(r: BenchResults, goals: GoalResult[] = evaluateGoals(r)): string {
  const out: string[] = [];
  const shared = Math.max(...r.machine.loadAverageAtStart.slice(0, 1), ...r.machine.loadAverageAtEnd.slice(0, 1));
  out.push('# Benchmarks', '');
  out.push(
    `Written by \`npm run bench\`${r.mode === 'smoke' ? ' **in smoke mode (one run each, `npm test` skipped): not figures to quote**' : ''} on ${r.generatedAt}, in ${formatNumber(r.wallSeconds, 0)} s. ` +
      `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}, ${r.machine.platform}; load average ${r.machine.loadAverageAtStart.map((l) => formatNumber(l, 1)).join('/')} at the start, ${r.machine.loadAverageAtEnd.map((l) => formatNumber(l, 1)).join('/')} at the end` +
      `${shared >= r.machine.cpus * 0.5 ? ' — the machine was not idle (other work ran just before or during this run), so wall-clock figures carry that noise (shown as the spread)' : ''}. ` +
      'Every figure below was measured in this run, each beside its baseline; the raw numbers are in the JSON file beside this one. ' +
      'Figures are "median (min-max)" over the runs; a single value means every run gave the same.',
    '',
  );
  out.push(`Runs: pipeline cost ${r.runs.pipeline} per settle time and variant, latency ${r.runs.latency} per variant, cold start ${r.runs.coldStart} per function, database ${r.runs.database}, \`cdk synth\` ${r.runs.synth}, \`npm test\` ${r.runs.test}, \`npm start\` ${r.runs.start}${r.appsPerAccount ? ', apps per account 6 synths (counts, no noise: the same in smoke mode)' : ''}: chosen so the whole bench stays under 5 minutes on 2 cores (full mode plans 2 synths and 3 starts, and makes the second and third only while the bench has run less than ${r.budgetSeconds} s).`, '');

  out.push('## Goals', '');
  out.push(renderGoals(goals), '');

  out.push('## 1. Control-plane cost per release', '');
  out.push(
    'The example app (`config/example.json`, app `example`: processes web and worker, a release command) run end to end by the local runner — build -> release -> deploy, the real ASL files and handlers — in a fresh simulated account per run, both ECS deployments completing after the given simulated time. ' +
      '**Slipway**: `statemachines/deploy.asl.json` (the deploy waits on a task token that ECS deployment events resume, a 5-minute sweep as fallback). ' +
      '**Polling baseline**: `bench/baseline/deploy-polling.asl.json`, the same pipeline with the wait replaced by the loop of the common samples: `Wait 15 s` -> `DescribeServices` (AWS SDK integration, no Lambda) -> `Choice`, and no ECS event rule. Counts are the runner\'s (every state entered is one state transition; every handler call one Lambda invocation).',
    '',
  );
  const priced = (t: Summary, l: Summary) => formatUsd(pricePer1000Releases(t.median, l.median, r.lambda).total);
  out.push(
    markdownTable(
      ['ECS settles after', 'Slipway transitions', 'polling transitions', 'polling / Slipway', 'Slipway Lambda invocations', 'polling Lambda invocations', 'Slipway $ per 1,000 releases', 'polling $ per 1,000 releases'],
      r.cost.map((c) => [
        `${c.settleSeconds} s${c.note ? ` (${c.note})` : ''}`,
        sum(c.slipway.transitions),
        sum(c.polling.transitions),
        formatRatio(ratioOfMedians(c.polling.transitions, c.slipway.transitions)),
        sum(c.slipway.lambdaInvocations),
        sum(c.polling.lambdaInvocations),
        priced(c.slipway.transitions, c.slipway.lambdaInvocations),
        priced(c.polling.transitions, c.polling.lambdaInvocations),
      ]),
    ),
    '',
  );
  out.push(
    `Prices: ${PRICES.source}. Lambda duration is **assumed**, not measured on AWS: ${r.lambda.memoryMb} MB (SlipwayFunction's default), ${r.lambda.billedMsPerInvocation} ms billed per invocation. ` +
      'Not included: DynamoDB requests (the same in both variants), CloudWatch Logs, and the two schedules of the cluster\'s shared control plane, which invoke `deployment-events` every minute (the deadline check) and `execution-status` every 5 minutes (the sweep) whether or not a deploy waits (about 43,800 + 8,760 invocations a month, a fixed cost per cluster, shared by its apps, not per release). ' +
      'Slipway\'s Lambda invocations grow slowly with the settle time: the runner counts the deadline checks (one invocation a minute) and sweeps (one every 5 minutes) that fall while the deploy waits.',
    '',
  );

  out.push('## 2. Orchestration latency', '');
  out.push(
    'Simulated seconds from the moment the last ECS deployment completes (`World.completedDeployments`) to the moment the deploy enters "Record the release" (the runner\'s timeline, which records each state at the simulated time it was entered). ' +
      `Deployments settle after ${r.latency.settleSeconds.join(', ')} s in successive runs, so that completion falls at different points of the 15-second polling interval. ` +
      'The simulated EventBridge delivers each ECS event 1 s after it happens (`lib/local/services/ecs.ts`); Slipway\'s figure is that delivery delay — the state machine itself adds no simulated time.',
    '',
  );
  out.push(markdownTable(['pipeline', 'latency (s)'], [['Slipway (event-driven)', sum(r.latency.slipway)], ['polling baseline (15 s)', sum(r.latency.polling)]]), '');

  out.push('## 3. Lambda cold start', '');
  out.push(
    'Each function bundled as the stack bundles it (esbuild, minified, CommonJS, `@aws-sdk/*` external; `lib/constructs/slipway-function.ts`), into a fresh temporary folder. ' +
      'One sample = one fresh `node` process that `require`s the bundle (which builds its module-scope SDK clients) and exits; "process" is the wall time of that process seen by the parent (`process.hrtime`), "load" the `require` alone timed inside it. ' +
      'The floor is the same process loading an empty handler; the reference row, a handler that only requires `@aws-sdk/client-ecs` and builds one client, shows how much of a function\'s figure is the AWS SDK itself. Processes are started round-robin (floor, then each function) so every figure sees the same load. The SDK comes from the repository\'s node_modules (in Lambda, from the runtime).',
    '',
  );
  const floor = r.coldStart.floor.processMs;
  out.push(
    markdownTable(
      ['function', 'bundle', 'process (ms)', 'load (ms)', 'process / floor'],
      [
        ['(floor: empty handler)', '-', ms(floor), ms(r.coldStart.floor.loadMs), '1.00x'],
        ['(reference: one AWS SDK client, ECS, built)', '-', ms(r.coldStart.oneClient.processMs), ms(r.coldStart.oneClient.loadMs), formatRatio(ratioOfMedians(r.coldStart.oneClient.processMs, floor))],
        ...r.coldStart.functions.map((f) => [f.name, `${formatNumber(f.bytes / 1024, 1)} KB`, ms(f.processMs), ms(f.loadMs), formatRatio(ratioOfMedians(f.processMs, floor))]),
      ],
    ),
    '',
  );

  out.push('## 4. Database manager', '');
  const d = r.database;
  out.push(
    `A throwaway PostgreSQL (\`test/helpers/postgres.ts\`, admin role without superuser as on Aurora). One run = \`createDatabase\` + \`enableIamAuth\` + \`runSql\` (CREATE TABLE in the new database) through the manager (pg driver, warm admin connection as in a warm Lambda), against psql sending the very same ${d.statementsPerRun} statements (recorded from a steady-state provisioning by the manager, database switches as \`\\c\`) over one warm session, timed inside the server session. ` +
      'Every run provisions a new database on each side; the two are interleaved run by run.',
    '',
  );
  out.push(markdownTable(['', 'ms per provisioning', 'ratio'], [['database manager', ms(d.manager), formatRatio(ratioOfMedians(d.manager, d.psql))], ['psql, same statements', ms(d.psql), '1.00x']]), '');
  const c = d.concurrent;
  out.push(
    `${c.calls} concurrent \`createDatabase\` calls, one manager (own connection) per call as ${c.calls} Lambda instances would: ${formatNumber(c.wallMs, 0)} ms wall, ${c.succeeded}/${c.calls} succeeded, ` +
      `${c.catalogOk}/${c.calls} databases in \`pg_database\` owned by their login role afterwards${c.errors.length ? `; errors: ${c.errors.join('; ')}` : ''}. ` +
      `Reference: psql sending the same ${c.calls} creates one after another in one session: ${formatNumber(c.psqlSequentialMs, 0)} ms.`,
    '',
  );

  out.push('## 5. Developer loop', '');
  out.push('Each command run to its end in a fresh process from the repository root, wall time. Each `cdk synth` writes a new, empty cloud assembly (so every run bundles every Lambda again); tsx\'s and jest\'s transform caches are left as a developer has them.', '');
  out.push(markdownTable(['command', 'wall time'], r.devLoop.map((l) => [`${l.label}: \`${l.shown}\``, l.ms ? formatSummary({ ...l.ms, median: l.ms.median / 1000, min: l.ms.min / 1000, max: l.ms.max / 1000 }, 's', 1) : `skipped (${l.skipped ?? 'not run'})`])), '');

  if (r.appsPerAccount) out.push(renderAppsPerAccount(r.appsPerAccount, 6), '');
  if (r.fleet) out.push(renderFleet(r.fleet, 7), '');
  if (r.serve) out.push(renderServe(r.serve, 8), '');
  if (r.dashboard) out.push(renderDashboard(r.dashboard, 9), '');

  out.push('## Method', '');
  out.push(
    [
      '* `npm run bench` (`bench/run.ts`) measures everything in one process tree, in order: sections 1-2 (in-process local runs, one new `LocalRun` and simulated account per run), 3 (child processes), 4 (a new PostgreSQL server), 5 (child processes), 6 (six synths, child processes), 7 (in-process local runs: one simulated account per fleet size, every app\'s pipeline side by side), 8 (`slipway local serve`: an endpoint in this process, SDK clients over HTTP, child processes for the ready time; `--only serve` runs it alone), 9 (the dashboard: `npm run build:web`, then Debian\'s Chromium through playwright-core against an endpoint in this process; `--only dashboard` runs it alone). `npm run bench -- --only fleet` runs section 7 alone and prints it (with `--smoke`, its smaller sizes). `npm run bench -- --smoke --out DIR` runs each once, skips `npm test`, and writes to DIR (CI does this after `npm test`). `npm run bench -- --only apps` runs section 6 alone and prints it.',
      '* Nothing is typed in: every count, size and time in this file comes from this run; the only constants are the list prices and the Lambda duration assumption, named in section 1, and AWS\'s default quotas with the idle-cost assumptions, named in section 6.',
      '* Nothing is cached between compared runs: each pipeline run starts from a fresh simulated account; each cold-start sample is a new `node` process on bundles built at the start of this run; each database run creates new databases.',
      '* Simulated time (sections 1-2) is deterministic: the runner advances a clock instead of sleeping, so counts and simulated seconds have no noise; wall-clock figures (sections 3-5) do, shown as min-max.',
      '* The polling baseline is deliberately cheap (no loop counter, no Lambda for the check, no event rule), so the comparison favours the baseline; it is only correct on the happy path and is not a Slipway state machine (it lives in `bench/baseline/`, outside `statemachines/`).',
      '* Local figures are not AWS figures: Lambda cold starts here exclude the runtime\'s own init and network; the database runs on the same machine; Step Functions transitions and Lambda invocations are counted exactly as AWS bills them.',
    ].join('\n'),
    '',
  );
  return out.join('\n');
}

const thousands = (n: number) => n.toLocaleString('en-US');
const fitText = (q: QuotaFigure) => (q.quota === null ? 'no count quota' : q.fit === null ? 'no limit (nothing per app)' : thousands(q.fit));
const perAppText = (q: QuotaFigure) => (q.agrees ? String(q.perApp) : `${q.perApp} (2nd app) / ${q.perAppCheck} (3rd app): not constant, the larger is used`);
const usd = (v: number) => (Math.abs(v) < 0.005 && v !== 0 ? `$${v.toPrecision(2)}` : `$${v.toFixed(2)}`);

function renderVariant(v: VariantResults): string[] {
  const out: string[] = [];
  out.push(
    markdownTable(
      ['quota (AWS default)', 'per', 'default', 'counted with 1 / 2 / 3 apps', 'shared', 'per app', 'apps before it binds'],
      v.quotas.map((q) => [`[${q.label}](${q.source})`, q.item ? `${q.scope} (\`${q.item}\`)` : q.scope, q.quota === null ? 'none' : thousands(q.quota), q.counts.map(thousands).join(' / '), thousands(q.shared), perAppText(q), fitText(q)]),
    ),
    '',
  );
  const account = bindingQuota(v, 'account');
  const cluster = bindingQuota(v, 'per cluster');
  out.push(
    `Per account and Region: **${account ? `${thousands(account.fit ?? 0)} apps` : 'no quota binds'}**${account ? `, bound by ${account.label}` : ''}. ` +
      `Per cluster and per shared resource (a load balancer, its security group, the largest role policy, event pattern and template): **${cluster ? `${thousands(cluster.fit ?? 0)} apps` : 'no quota binds'}**${cluster ? `, bound by ${cluster.label}` : ''}; more apps than that need another cluster.`,
    '',
  );
  return out;
}

/** Section 6 of BENCHMARKS.md, also printed alone by `npm run bench -- --only apps`. */
export function renderAppsPerAccount(a: AppsPerAccountResults, section?: number): string {
  const out: string[] = [];
  out.push(`## ${section ? `${section}. ` : ''}Apps per account`, '');
  out.push(
    `The CDK app (\`bin/slipway-app.ts\`, run with \`cdk.json\`'s \`app\` command as \`cdk synth\` runs it, cdk-nag on, Lambda bundling and CDK's built-in CloudFormation validation skipped: neither changes a template) synthesized for configs derived from \`${a.baseConfig}\`: its prefix, clusters and databases, and 1, 2 and 3 copies of its app \`${a.baseApp}\` (processes web and worker, no database) named \`bench-1\`..\`bench-3\`, ` +
      `${a.variants.map((v) => (v.variant === 'production' ? 'with `"production": true`' : 'with `"production": false`')).join(' and ')}. Every resource of each kind is counted in the synthesized templates: per app = count(2 apps) - count(1 app), checked against count(3) - count(2); shared = count(1) - per app (what the platform holds with no app); apps before a quota binds = floor((quota - shared) / per app). ` +
      'Nothing is typed in: the counts follow whatever the stacks contain when the bench runs. Not in the templates, so not counted: the 5 IAM roles of the CDK bootstrap stack and AWS\'s service-linked roles, parameters the CLI writes (`slipway config set`), schedules the schedules pipeline creates, ECS services and task definitions the pipelines create. ' +
      'Quotas are per account and Region except IAM\'s and S3\'s buckets, which hold for the whole account (every Region together). Log groups include those Lambda and CodeBuild create on first use when a function or project names none. For a quota per resource (a load balancer, a security group, a role\'s inline policies, an event pattern, a template) each resource present in all three synths is followed on its own and the row names the one that binds first (or, when none grows, the largest); sizes are characters of the template\'s JSON, where intrinsic functions stand for the ARNs they make.',
    '',
  );
  for (const v of a.variants) {
    out.push(`### ${v.variant === 'production' ? 'Production' : 'Non-production'} apps`, '');
    out.push(...renderVariant(v));
  }
  const nonProd = a.variants.find((v) => v.variant === 'non-production') ?? a.variants[0];
  if (nonProd) {
    out.push('### What one app adds, and its fixed monthly cost', '');
    const prod = a.variants.find((v) => v.variant === 'production');
    const prodOf = (type: string) => prod?.perAppTypes.find((t) => t.type === type)?.perApp ?? 0;
    const types = [...new Set([...nonProd.perAppTypes.map((t) => t.type), ...(prod?.perAppTypes.map((t) => t.type) ?? [])])];
    out.push(
      markdownTable(
        ['resource type', 'per non-production app', ...(prod ? ['per production app'] : []), 'while idle'],
        types.map((type) => {
          const n = nonProd.perAppTypes.find((t) => t.type === type)?.perApp ?? 0;
          return [type, String(n), ...(prod ? [String(prodOf(type))] : []), FREE_WHILE_IDLE[type] ?? (nonProd.cost.unpriced.includes(type) ? '**not priced**' : 'priced below')];
        }),
      ),
      '',
    );
    for (const v of a.variants) {
      const c = v.cost;
      out.push(
        `Fixed monthly cost of one idle ${v.variant} app: **${usd(c.perAppTotal)}**${c.perAppTotal.toFixed(4) === c.perAppCheckTotal.toFixed(4) ? '' : ` (the third app adds ${usd(c.perAppCheckTotal)})`}` +
          (c.perApp.length ? `: ${c.perApp.map((l) => `${l.item} ${usd(l.usd)}`).join(', ')}` : '') +
          (c.unpriced.length ? `; **not priced**: ${c.unpriced.join(', ')}` : '') +
          `. The shared resources the templates price come to ${usd(c.sharedTotal)} a month (an RDS cluster, when the account has one, is not priced here).`,
        '',
      );
    }
    out.push(
      `Idle means no build, release, deploy, config change or request: what is left is what the resources cost by existing, and what runs on a schedule. ` +
        `Scheduled Lambda invocations: ${IDLE_PRICES.hoursPerMonth} hours a month, each invocation ${a.assumptions.lambda.billedMsPerInvocation} ms billed at the function's own memory and architecture (an assumption, not measured on AWS) plus ${a.assumptions.logBytesPerInvocation} bytes of logs ingested. ` +
        "DynamoDB on demand costs nothing without requests; an idle app's table holds a few KB, so its storage and point-in-time recovery ($0.20 per GB-month) round to $0. The app's own Fargate tasks, image storage and build minutes are usage, not the platform's fixed cost. Free tiers ignored. " +
        `Prices: ${IDLE_PRICES.source}.`,
      '',
    );
  }
  if (a.configKeys?.length) out.push(renderConfigKeys(a.configKeys), '');
  return out.join('\n');
}

/** The config-keys sub-section: parameters per app for 10, 30 and 50 keys, what binds, and the price of the layout. */
function renderConfigKeys(results: readonly ConfigKeysResults[]): string {
  const out: string[] = ['### Config keys (Parameter Store parameters)', ''];
  const first = results[0];
  out.push(
    `Each config key (\`slipway config set\`) is one SecureString parameter, which the task reads through ECS \`secrets\` (ECS takes a whole parameter per variable: several keys cannot share one parameter). ` +
      `An app holds its templates' parameters (${first.templatePerApp} per app: its settings), its schedules list (1, counted for every app: the worst case) and its keys; an app with a database has DATABASE_URL among its keys. ` +
      `Per Region Parameter Store holds [10,000 standard parameters (free) and 100,000 advanced ones ($${first.advancedParameterUsd.toFixed(2)} per parameter a month)](${PARAMETER_QUOTAS.source}). ` +
      '**Before**: every parameter Standard, and `config set` fails with ParameterLimitExceeded once the 10,000 are taken. **Now**: `config set`, `schedules add/remove`, the settings and DATABASE_URL parameters are written with Intelligent-Tiering (standard while there is room, advanced after: [ps-default-tier](https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-default-tier.html)), so the first apps stay free and the apps past the standard tier\'s room pay for their parameters. Advanced parameters\' API interactions ($0.05 per 10,000, e.g. ECS reading the keys at each task start) are usage and not in the price.',
    '',
  );
  for (const c of results) {
    out.push(`${c.variant === 'production' ? 'Production' : 'Non-production'} apps${c.otherBinding ? ` (the next account quota: ${c.otherBinding.label}, ${thousands(c.otherBinding.fit)} apps)` : ''}:`, '');
    out.push(
      markdownTable(
        ['keys per app', 'parameters per app', 'apps in the standard tier', 'before: apps per account (what binds)', 'now: apps per account (what binds)', 'price per app past the standard tier', 'at that many apps: advanced parameters a month (per app)'],
        c.rows.map((r) => [
          String(r.keys),
          String(r.parametersPerApp),
          thousands(r.standardFit),
          `${thousands(r.standardOnly.apps)} (${r.standardOnly.binds})`,
          `${thousands(r.intelligentTiering.apps)} (${r.intelligentTiering.binds})`,
          `${usd(r.usdPerAppBeyond)} a month`,
          `${usd(r.usdAtBindingTotal)} (${usd(r.usdAtBindingPerApp)})`,
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
