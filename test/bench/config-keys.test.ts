import type { VariantResults } from '../../bench/app-variant';
import { configKeysFigures } from '../../bench/config-key-quotas';
import { deriveFigure, type QuotaKind } from '../../bench/quotas';

/**
 * The apps-per-account section's config keys (issue 22): parameters for 10, 30 and 50 keys per app, what
 * binds with every parameter Standard and with Intelligent-Tiering, and the price of the advanced ones.
 */

const kind = (id: string, label: string, quota: number): Pick<QuotaKind, 'id' | 'label' | 'scope' | 'quota' | 'source'> => ({ id, label, scope: 'account', quota, source: 'https://docs.aws.amazon.com/' });

/** A variant whose templates hold 1 parameter per app (its settings) and whose roles bind at 327 apps. */
function variant(rolesPerApp = 3): VariantResults {
  return {
    variant: 'non-production',
    appCounts: [1, 2, 3],
    synthMs: [],
    quotas: [deriveFigure(kind('ssm-standard-parameters', 'SSM standard parameters', 10_000), [1, 2, 3]), deriveFigure(kind('iam-roles', 'IAM roles', 1000), [19 + rolesPerApp, 19 + 2 * rolesPerApp, 19 + 3 * rolesPerApp])],
    perAppTypes: [],
    cost: { perApp: [], perAppTotal: 0, perAppCheckTotal: 0, sharedTotal: 0, unpriced: [] },
  };
}

test('with every parameter Standard, 30 and 50 keys per app bind Parameter Store before the IAM roles', () => {
  const c = configKeysFigures(variant());
  expect(c.otherBinding).toEqual({ label: 'IAM roles', fit: 327 });
  const [ten, thirty, fifty] = c.rows;
  // 1 settings + 1 schedules list + k keys per app; 10,000 / 12, / 32, / 52.
  expect([ten.parametersPerApp, thirty.parametersPerApp, fifty.parametersPerApp]).toEqual([12, 32, 52]);
  expect(ten.standardOnly).toEqual({ apps: 327, binds: 'IAM roles' });
  expect(thirty.standardOnly).toEqual({ apps: 312, binds: '10,000 standard parameters' });
  expect(fifty.standardOnly).toEqual({ apps: 192, binds: '10,000 standard parameters' });
});

test('with Intelligent-Tiering the IAM roles bind again, and only the apps past the standard tier pay, $0.05 per parameter a month', () => {
  const [ten, thirty, fifty] = configKeysFigures(variant()).rows;
  expect([ten, thirty, fifty].map((r) => r.intelligentTiering)).toEqual([
    { apps: 327, binds: 'IAM roles' },
    { apps: 327, binds: 'IAM roles' },
    { apps: 327, binds: 'IAM roles' },
  ]);
  expect(ten.usdAtBindingTotal).toBe(0);
  expect(fifty.usdPerAppBeyond).toBeCloseTo(52 * 0.05);
  expect(fifty.usdAtBindingTotal).toBeCloseTo((327 - 192) * 52 * 0.05);
  expect(fifty.usdAtBindingPerApp).toBeCloseTo(fifty.usdAtBindingTotal / 327);
});

test('with nothing else binding, the 110,000 parameters of both tiers bind', () => {
  const c = configKeysFigures(variant(0));
  expect(c.otherBinding).toBeNull();
  expect(c.rows[2].intelligentTiering).toEqual({ apps: Math.floor(109_999 / 52), binds: '10,000 standard + 100,000 advanced parameters' });
});
