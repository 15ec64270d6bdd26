import { BenchInputError } from './stats';
import type { Assembly } from './template-counts';
import { QUOTA_KINDS, perAppResourceTypes, figureOf, type QuotaFigure, type QuotaKind } from './quotas';
import { idleMonthlyCost, type CostLine } from './idle-cost';

/** One app variant's figures (non-production or production) from the assemblies of 1, 2 and 3 apps. */

/** One app variant of the section: its quota figures and its idle cost per app. */
export interface VariantResults {
  readonly variant: 'non-production' | 'production';
  /** App counts synthesized, in order (1, 2, 3). */
  readonly appCounts: readonly number[];
  /** Wall time of each synth. */
  readonly synthMs: readonly number[];
  readonly quotas: readonly QuotaFigure[];
  readonly perAppTypes: readonly { type: string; perApp: number; perAppCheck: number }[];
  readonly cost: {
    /** cost(2 apps) - cost(1 app), per item. */
    readonly perApp: readonly CostLine[];
    readonly perAppTotal: number;
    /** cost(3) - cost(2). */
    readonly perAppCheckTotal: number;
    /** cost(1) - per app. */
    readonly sharedTotal: number;
    /** What one app adds that the cost model has no price or reason for (resource types, scheduled targets). */
    readonly unpriced: readonly string[];
  };
}

/** The section's figures for one variant, from the assemblies of 1, 2 and 3 apps (pure). */
export function measureVariant(variant: VariantResults['variant'], assemblies: readonly Assembly[], synthMs: readonly number[] = [], kinds: readonly QuotaKind[] = QUOTA_KINDS): VariantResults {
  if (assemblies.length !== 3) throw new BenchInputError(`the apps-per-account section needs the assemblies of 1, 2 and 3 apps, got ${assemblies.length}`);
  const quotas = kinds.map((k) => figureOf(k, assemblies));
  const costs = assemblies.map((a) => idleMonthlyCost(a));
  const items = new Set(costs.flatMap((c) => c.lines.map((l) => l.item)));
  const of = (i: number, item: string) => costs[i].lines.find((l) => l.item === item)?.usd ?? 0;
  const perApp = [...items].map((item) => ({ item, usd: of(1, item) - of(0, item) })).filter((l) => Math.abs(l.usd) > 1e-12);
  const perAppTotal = costs[1].total - costs[0].total;
  return {
    variant,
    appCounts: [1, 2, 3],
    synthMs: [...synthMs],
    quotas,
    perAppTypes: perAppResourceTypes(assemblies),
    cost: { perApp: perApp.sort((a, b) => b.usd - a.usd), perAppTotal, perAppCheckTotal: costs[2].total - costs[1].total, sharedTotal: costs[0].total - perAppTotal, unpriced: [...costs[1].unpriced].filter(([what, n]) => n > (costs[0].unpriced.get(what) ?? 0)).map(([what]) => what).sort() },
  };
}
