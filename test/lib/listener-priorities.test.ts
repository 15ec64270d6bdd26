import fc from 'fast-check';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { appListenerPriority, listenerPriority, listenerPriorityCollisions } from '../../lib/listener-priorities';
import { configErrorOf } from '../helpers/config-errors';

/*
 * Listener-rule priorities (issue 21): derived from the app's name, so stable when apps come and go;
 * two web apps of one cluster with the same priority are refused at synth time (a listener answers
 * PriorityInUse), with a `listenerPriority` override in the config.
 */

const webApp = (name: string, cluster = 'production', listenerPriority?: number) => ({
  name,
  cluster,
  repository: { owner: 'o', name },
  processes: { web: { port: 3000 } },
  httpOnly: true, // the clusters have no domain (lib/app-hostname.ts)
  ...(listenerPriority !== undefined ? { listenerPriority } : {}),
});
const config = (apps: unknown[]) => ({ clusters: [{ name: 'production' }, { name: 'staging' }], apps });
test('app226 and app370 derive the same priority (the collision the issue found)', () => {
  expect(listenerPriority('app226')).toBe(listenerPriority('app370'));
});

test('two web apps of one cluster with the same priority are refused, naming both and a free priority', () => {
  const message = configErrorOf(config([webApp('app226'), webApp('app370')]));
  expect(message).toMatch(/^invalid config: apps\[1\]\.listenerPriority: listener-rule priority \d+ of app "app370" is already app "app226"'s on cluster "production" .*PriorityInUse.*set "listenerPriority" on one of them to a free priority, e\.g\. \d+$/);
});

test('the suggested priority is free, and the override makes the config valid', () => {
  const [collision] = listenerPriorityCollisions(config([webApp('app226'), webApp('app370')]).apps as never);
  const free = Number(/e\.g\. (\d+)$/.exec(collision.message)?.[1]);
  expect(free).not.toBe(listenerPriority('app226'));
  const parsed = parseDeploymentConfig(config([webApp('app226'), webApp('app370', 'production', free)]));
  expect(parsed.apps.map(appListenerPriority)).toEqual([listenerPriority('app226'), free]);
});

test('the same priority on two clusters (two listeners), or for an app without a web process, is no collision', () => {
  expect(() => parseDeploymentConfig(config([webApp('app226'), webApp('app370', 'staging')]))).not.toThrow();
  const worker = { ...webApp('app370'), processes: { worker: { command: ['w'] } } };
  expect(() => parseDeploymentConfig(config([webApp('app226'), worker]))).not.toThrow();
});

test('an override that takes another app\'s derived priority is refused too', () => {
  expect(configErrorOf(config([webApp('shop'), webApp('docs', 'production', listenerPriority('shop'))]))).toContain('of app "docs" is already app "shop"\'s');
});

test('adding or removing apps never changes another app\'s priority (each depends on its own name and override only)', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), { minLength: 2, maxLength: 30 }), (names) => {
      const all = names.map((n) => webApp(n));
      const fewer = all.slice(1);
      return fewer.every((a, i) => appListenerPriority(a) === appListenerPriority(all[i + 1]));
    }),
  );
});

test('1,000 apps of one cluster: every collision is found, each named once', () => {
  const apps = Array.from({ length: 1000 }, (_, i) => webApp(`app${i}`));
  const collisions = listenerPriorityCollisions(apps);
  const byPriority = new Map<number, number>();
  for (const a of apps) byPriority.set(listenerPriority(a.name), (byPriority.get(listenerPriority(a.name)) ?? 0) + 1);
  const expected = [...byPriority.values()].reduce((n, c) => n + c - 1, 0);
  expect(expected).toBeGreaterThan(0);
  expect(collisions).toHaveLength(expected);
});
