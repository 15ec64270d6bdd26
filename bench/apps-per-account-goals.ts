import type { GoalResult } from './stats';
import type { QuotaFigure, QuotaScope } from './quotas';
import type { VariantResults } from './app-variant';
import type { AppsPerAccountResults } from './apps-per-account';

/** The section's goals (issue 16): apps per account and Region, and the idle cost of a non-production app. */

/** Goal of issue 16: apps per account and Region under every default per-account quota. */
export const APPS_GOAL = 300;
/** Goal of issue 16: fixed monthly cost of an idle non-production app, strictly under this. */
export const IDLE_COST_GOAL_USD = 1;

/** The binding quota (fewest apps) among those of `scope`, or undefined when none binds. */
export function bindingQuota(v: VariantResults, scope: QuotaScope | 'per cluster'): QuotaFigure | undefined {
  const scoped = v.quotas.filter((q) => (scope === 'per cluster' ? q.scope !== 'account' : q.scope === scope) && q.fit !== null);
  return scoped.sort((a, b) => (a.fit ?? Infinity) - (b.fit ?? Infinity))[0];
}

const n = (v: number | null) => (v === null ? 'none' : v.toLocaleString('en-US'));
const describeFit = (q: QuotaFigure | undefined) =>
  q ? `${n(q.fit)} apps (${q.label} binds: ${q.perApp === q.perAppCheck ? n(q.perApp) : `${n(q.perApp)}/${n(q.perAppCheck)}`} per app, ${n(q.shared)} shared, quota ${n(q.quota)})` : 'no quota binds';

/** The section's goals: apps per account for each variant, idle cost of a non-production app. */
export function appsPerAccountGoals(r: AppsPerAccountResults): GoalResult[] {
  const goals: GoalResult[] = [];
  for (const v of r.variants) {
    const q = bindingQuota(v, 'account');
    goals.push({
      goal: `>= ${APPS_GOAL} ${v.variant} apps per account and Region under every default per-account quota`,
      figure: describeFit(q),
      pass: q === undefined || (q.fit ?? Infinity) >= APPS_GOAL,
      note: 'per-load-balancer quotas are per cluster: see the section',
    });
  }
  for (const c of r.configKeys ?? []) {
    const row = c.rows[c.rows.length - 1];
    if (!row) continue;
    goals.push({
      goal: `>= ${APPS_GOAL} ${c.variant} apps per account and Region with ${row.keys} config keys each`,
      figure: `${n(row.intelligentTiering.apps)} apps (${row.intelligentTiering.binds} binds; standard tier alone: ${n(row.standardOnly.apps)})`,
      pass: row.intelligentTiering.apps >= APPS_GOAL,
      note: row.usdAtBindingTotal > 0 ? `the apps past the first ${n(row.standardFit)} pay $${row.usdPerAppBeyond.toFixed(2)} a month each in advanced parameters` : undefined,
    });
  }
  const nonProd = r.variants.find((v) => v.variant === 'non-production');
  if (nonProd) {
    goals.push({
      goal: `fixed monthly cost of an idle non-production app < $${IDLE_COST_GOAL_USD.toFixed(2)}`,
      figure: `$${nonProd.cost.perAppTotal.toFixed(2)}${nonProd.cost.unpriced.length ? ` (not priced: ${nonProd.cost.unpriced.join(', ')})` : ''}`,
      pass: nonProd.cost.perAppTotal < IDLE_COST_GOAL_USD,
    });
  }
  return goals;
}
