import type { AppsPerAccountResults } from '../../bench/apps-per-account';
import type { QuotaFigure } from '../../bench/quotas';
import { evaluateGoals, renderMarkdown, type BenchResults } from '../../bench/report';
import { summarize } from '../../bench/stats';

/** A made-up result set (inputs for the renderer, not measurements). */
function results(changes: Partial<BenchResults> = {}): BenchResults {
  const s = (...v: number[]) => summarize(v);
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    mode: 'full',
    machine: { cpus: 2, cpuModel: 'Test CPU', node: 'v20.0.0', platform: 'linux x64', loadAverageAtStart: [0.1, 0.1, 0.1], loadAverageAtEnd: [0.2, 0.1, 0.1] },
    wallSeconds: 100,
    budgetSeconds: 240,
    runs: { pipeline: 3, latency: 3, coldStart: 3, database: 3, synth: 1, test: 1, start: 1 },
    lambda: { memoryMb: 256, billedMsPerInvocation: 100 },
    cost: [
      { settleSeconds: 60, slipway: { transitions: s(26), lambdaInvocations: s(11) }, polling: { transitions: s(48), lambdaInvocations: s(7) } },
      { settleSeconds: 600, slipway: { transitions: s(26), lambdaInvocations: s(13) }, polling: { transitions: s(264), lambdaInvocations: s(7) } },
    ],
    latency: { slipway: s(0, 0, 0), polling: s(0, 6, 12), settleSeconds: [60, 65, 70] },
    coldStart: {
      floor: { processMs: s(30, 32, 34), loadMs: s(0.1) },
      oneClient: { processMs: s(100), loadMs: s(70) },
      functions: [
        { name: 'fast-fn', bytes: 2048, processMs: s(40, 41, 42), loadMs: s(10) },
        { name: 'slow-fn', bytes: 4096, processMs: s(150, 160, 170), loadMs: s(120) },
      ],
    },
    database: { statementsPerRun: 28, manager: s(30, 31, 32), psql: s(29, 30, 31), concurrent: { calls: 50, wallMs: 900, succeeded: 50, errors: [], catalogOk: 50, psqlSequentialMs: 850 } },
    devLoop: [
      { label: 'synth', shown: 'npx cdk synth -q', ms: s(9000) },
      { label: 'tests', shown: 'npm test', ms: null, skipped: 'smoke mode' },
    ],
    ...changes,
  };
}

describe('evaluateGoals', () => {
  test('one goal per function cold start, failing only the function over 1.5x the floor', () => {
    const goals = evaluateGoals(results());

    const cold = goals.filter((g) => g.goal.startsWith('cold start of'));
    expect(cold.map((g) => [g.goal, g.pass])).toEqual([
      ['cold start of fast-fn within 1.5x of the floor', true],
      ['cold start of slow-fn within 1.5x of the floor', false],
    ]);
  });

  test('the polling comparison uses the 600 s row: 264 / 26 passes 5x', () => {
    const goal = evaluateGoals(results()).find((g) => g.goal.includes('fewer state transitions'));

    expect(goal?.pass).toBe(true);
    expect(goal?.figure).toContain('(264 vs 26)');
  });

  test('without a 600 s row there is no polling comparison rather than a wrong one', () => {
    const r = results();
    const goals = evaluateGoals(results({ cost: r.cost.filter((c) => c.settleSeconds !== 600).concat({ ...r.cost[0], settleSeconds: 120 }) }));

    expect(goals.some((g) => g.goal.includes('fewer state transitions'))).toBe(false);
  });

  test('latency of 0 s passes the 1 s goal; the database at 31/30 passes 1.5x', () => {
    const goals = evaluateGoals(results());

    expect(goals.find((g) => g.goal.startsWith('orchestration latency'))?.pass).toBe(true);
    expect(goals.find((g) => g.goal.startsWith('database manager'))?.pass).toBe(true);
  });
});

describe('renderMarkdown', () => {
  test('a missed goal is marked **miss**, a met one pass', () => {
    const md = renderMarkdown(results());

    expect(md).toMatch(/\| cold start of slow-fn within 1\.5x of the floor \| 5\.00x \| \*\*miss\*\* \|/);
    expect(md).toMatch(/\| cold start of fast-fn within 1\.5x of the floor \| 1\.28x \| pass \|/);
  });

  test('each settle time has one row with both variants, the ratio and the prices', () => {
    const md = renderMarkdown(results());

    expect(md).toContain('| 600 s | 26 | 264 | 10.15x | 13 | 7 | $0.66 | $6.60 |');
  });

  test('smoke mode says the figures are not to be quoted', () => {
    expect(renderMarkdown(results({ mode: 'smoke' }))).toContain('not figures to quote');
    expect(renderMarkdown(results())).not.toContain('not figures to quote');
  });

  test('a busy machine (load at or over half the cores) is called shared', () => {
    const busy = results({ machine: { ...results().machine, loadAverageAtEnd: [3.5, 2, 1] } });

    expect(renderMarkdown(busy)).toContain('the machine was not idle');
    expect(renderMarkdown(results())).not.toContain('the machine was shared');
  });

  test('a skipped command says why instead of showing a time', () => {
    expect(renderMarkdown(results())).toContain('| tests: `npm test` | skipped (smoke mode) |');
  });
});

describe('section 6, apps per account', () => {
  /** Made-up figures: IAM roles bind at floor((1,000 - 10) / 3) = 330 apps; $0.40 a month per idle app. */
  const figure = (changes: Partial<QuotaFigure>): QuotaFigure => ({ id: 'iam-roles', label: 'IAM roles', scope: 'account', quota: 1000, source: 'https://example.com/iam', counts: [13, 16, 19], shared: 10, perApp: 3, perAppCheck: 3, agrees: true, fit: 330, ...changes });
  const apps: AppsPerAccountResults = {
    baseConfig: 'config/example.json',
    baseApp: 'example',
    assumptions: { lambda: { memoryMb: 256, billedMsPerInvocation: 100 }, logBytesPerInvocation: 1000 },
    variants: [
      {
        variant: 'non-production',
        appCounts: [1, 2, 3],
        synthMs: [4000, 4000, 4000],
        quotas: [figure({}), figure({ id: 'alb-rules', label: 'listener rules per Application Load Balancer', scope: 'load balancer', quota: 100, counts: [1, 2, 3], shared: 0, perApp: 1, perAppCheck: 1, fit: 100 })],
        perAppTypes: [{ type: 'AWS::IAM::Role', perApp: 3, perAppCheck: 3 }],
        cost: { perApp: [{ item: 'CloudWatch alarm metrics', usd: 0.4 }], perAppTotal: 0.4, perAppCheckTotal: 0.4, sharedTotal: 20, unpriced: [] },
      },
    ],
  };

  test('results written before the section existed render without it and add no goal', () => {
    expect(renderMarkdown(results())).not.toContain('Apps per account');
    expect(evaluateGoals(results()).some((g) => g.goal.includes('apps per account'))).toBe(false);
  });

  test('with the section: its table, the per-account and per-cluster bounds, and two goals that pass', () => {
    const r = results({ appsPerAccount: apps });

    const md = renderMarkdown(r);

    expect(md).toContain('## 6. Apps per account');
    expect(md).toContain('| [IAM roles](https://example.com/iam) | account | 1,000 | 13 / 16 / 19 | 10 | 3 | 330 |');
    expect(md).toContain('Per account and Region: **330 apps**, bound by IAM roles.');
    expect(md).toContain('**100 apps**, bound by listener rules per Application Load Balancer');
    expect(md).toContain('Fixed monthly cost of one idle non-production app: **$0.40**');
    const goals = evaluateGoals(r).filter((g) => g.goal.includes('apps per account') || g.goal.includes('idle non-production'));
    expect(goals.map((g) => [g.goal, g.pass])).toEqual([
      ['>= 300 non-production apps per account and Region under every default per-account quota', true],
      ['fixed monthly cost of an idle non-production app < $1.00', true],
    ]);
  });
});
