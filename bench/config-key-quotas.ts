import { IDLE_PRICES } from './idle-cost';
import type { VariantResults } from './app-variant';

/** The section's config keys (issue 22): parameters for 10, 30 and 50 keys per app beside every other per-account quota. */

/** Config keys per app the section counts (issue 22). */
export const CONFIG_KEY_COUNTS = [10, 30, 50] as const;
/** Parameters per Region: "Standard 10,000, Advanced 100,000" (Managing parameter tiers). */
export const PARAMETER_QUOTAS = { standard: 10_000, advanced: 100_000, source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html' } as const;

/** One row of the config-keys table: k keys per app, what binds before and after Intelligent-Tiering, and its price. */
export interface ConfigKeysRow {
  readonly keys: number;
  /** Parameters one app holds: those of its templates, its schedules list and its k keys. */
  readonly parametersPerApp: number;
  /** Apps whose parameters all fit the 10,000 standard parameters (free). */
  readonly standardFit: number;
  /** Standard tier only (every parameter written Standard): apps per account, and what binds. */
  readonly standardOnly: { readonly apps: number; readonly binds: string };
  /** Intelligent-Tiering (standard until the tier is full, then advanced): apps per account, and what binds. */
  readonly intelligentTiering: { readonly apps: number; readonly binds: string };
  /** Monthly price of the parameters of one app beyond `standardFit` (every one advanced). */
  readonly usdPerAppBeyond: number;
  /** At `intelligentTiering.apps` apps: the account's advanced parameters a month, and that spread over every app. */
  readonly usdAtBindingTotal: number;
  readonly usdAtBindingPerApp: number;
}

/** The section's config-keys figures for one variant. */
export interface ConfigKeysResults {
  readonly variant: VariantResults['variant'];
  /** Parameters per app and shared in the templates (the settings parameter), as counted. */
  readonly templatePerApp: number;
  readonly templateShared: number;
  /** The schedules list (`slipway schedules add`), counted for every app: the worst case. */
  readonly schedulesPerApp: 1;
  /** The binding account quota other than Parameter Store's (from the variant's table). */
  readonly otherBinding: { readonly label: string; readonly fit: number } | null;
  readonly rows: readonly ConfigKeysRow[];
  readonly advancedParameterUsd: number;
}

/**
 * Parameters for 10, 30 and 50 config keys per app beside every other per-account quota (pure): with
 * every parameter Standard (what `config set` wrote before) the 10,000 standard parameters bind; with
 * Intelligent-Tiering (what it writes now, lib/ops/config-keys.ts CONFIG_KEY_TIER) the apps past the
 * standard tier's room pay $0.05 per parameter a month and the next quota binds.
 */
export function configKeysFigures(v: VariantResults, keyCounts: readonly number[] = CONFIG_KEY_COUNTS): ConfigKeysResults {
  const ssmFigure = v.quotas.find((q) => q.id === 'ssm-standard-parameters');
  const templatePerApp = ssmFigure ? Math.max(ssmFigure.perApp, ssmFigure.perAppCheck) : 0;
  const templateShared = ssmFigure?.shared ?? 0;
  const others = v.quotas.filter((q) => q.scope === 'account' && q.id !== 'ssm-standard-parameters' && q.fit !== null).sort((a, b) => (a.fit ?? 0) - (b.fit ?? 0));
  const other = others[0] ? { label: others[0].label, fit: others[0].fit ?? 0 } : null;
  const price = IDLE_PRICES.advancedParameter;
  const rows = keyCounts.map((keys) => {
    const perApp = templatePerApp + 1 + keys;
    const standardFit = Math.floor((PARAMETER_QUOTAS.standard - templateShared) / perApp);
    const allFit = Math.floor((PARAMETER_QUOTAS.standard + PARAMETER_QUOTAS.advanced - templateShared) / perApp);
    const bind = (fit: number, label: string) => (other && other.fit <= fit ? { apps: other.fit, binds: other.label } : { apps: fit, binds: label });
    const standardOnly = bind(standardFit, `${PARAMETER_QUOTAS.standard.toLocaleString('en-US')} standard parameters`);
    const intelligentTiering = bind(allFit, `${PARAMETER_QUOTAS.standard.toLocaleString('en-US')} standard + ${PARAMETER_QUOTAS.advanced.toLocaleString('en-US')} advanced parameters`);
    const beyond = Math.max(0, intelligentTiering.apps - standardFit);
    const usdAtBindingTotal = beyond * perApp * price;
    return {
      keys,
      parametersPerApp: perApp,
      standardFit,
      standardOnly,
      intelligentTiering,
      usdPerAppBeyond: perApp * price,
      usdAtBindingTotal,
      usdAtBindingPerApp: intelligentTiering.apps > 0 ? usdAtBindingTotal / intelligentTiering.apps : 0,
    };
  });
  return { variant: v.variant, templatePerApp, templateShared, schedulesPerApp: 1, otherBinding: other, rows, advancedParameterUsd: price };
}
