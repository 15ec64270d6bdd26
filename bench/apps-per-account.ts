/**
 * "Apps per account": how many apps fit one AWS account and region before a default quota binds, and
 * what one idle app costs a month whatever it does.
 *
 * Method: the CDK app is synthesized (bin/slipway-app.ts, run with cdk.json's own `app` command) for
 * configs derived from config/example.json with 1, 2 and 3 apps, and the resources of each kind are
 * counted in the synthesized CloudFormation templates. per-app = count(2) - count(1) (checked against
 * count(3) - count(2)); shared = count(1) - per-app; apps that fit = floor((quota - shared) / per-app).
 * Nothing here knows the stacks' layout: whatever the templates contain when the bench runs is counted.
 *
 * The counting (template-counts.ts), the quota arithmetic (quotas.ts), the pricing (idle-cost.ts), one
 * variant's figures (app-variant.ts), the config keys (config-key-quotas.ts) and the goals
 * (apps-per-account-goals.ts) are pure functions (test/bench/apps-per-account.test.ts); bench-synth.ts
 * is the only I/O.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../domain/json';
import type { Assembly } from './template-counts';
import { IDLE_ASSUMPTIONS, type IdleAssumptions } from './idle-cost';
import { measureVariant, type VariantResults } from './app-variant';
import { configKeysFigures, type ConfigKeysResults } from './config-key-quotas';
import { benchConfig, synthAssembly } from './bench-synth';

/** Everything the section measured (BENCHMARKS.json's `appsPerAccount`). */
export interface AppsPerAccountResults {
  /** The config the variants are derived from, and the app copied into each. */
  readonly baseConfig: string;
  readonly baseApp: string;
  readonly variants: readonly VariantResults[];
  readonly assumptions: IdleAssumptions;
  /** Parameters with 10, 30 and 50 config keys per app, per variant (absent in results written before). */
  readonly configKeys?: readonly ConfigKeysResults[];
}

/** Runs the section: 3 synths per variant (non-production, production), each into a fresh folder under `workDir`. */
export function measureAppsPerAccount(root: string, workDir: string, step: (text: string) => void = () => undefined): AppsPerAccountResults {
  const example = JSON.parse(readFileSync(join(root, 'config/example.json'), 'utf8')) as JsonObject;
  let baseApp = '';
  const variants: VariantResults[] = [];
  for (const production of [false, true]) {
    const variant = production ? 'production' : 'non-production';
    const assemblies: Assembly[] = [];
    const ms: number[] = [];
    for (const apps of [1, 2, 3]) {
      step(`synth with ${apps} ${variant} app(s)`);
      const { config, baseApp: b } = benchConfig(example, apps, production);
      baseApp = b;
      const s = synthAssembly(root, config, join(workDir, `${variant}-${apps}`));
      assemblies.push(s.assembly);
      ms.push(s.ms);
    }
    variants.push(measureVariant(variant, assemblies, ms));
  }
  return { baseConfig: 'config/example.json', baseApp, variants, assumptions: IDLE_ASSUMPTIONS, configKeys: variants.map((v) => configKeysFigures(v)) };
}
