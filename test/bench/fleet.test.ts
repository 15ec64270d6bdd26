import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetApps, fleetConfig, measureFleet, type FleetSample } from '../../bench/fleet';
import { fleetGoals, renderFleet } from '../../bench/fleet-report';
import { loadDeploymentConfig } from '../../lib/deployment-config';
import { ROOT } from '../statemachines/scenarios';

/** Section 7 of the bench: a fleet's config, one measured run, its goal and its table. */

describe("the fleet's config", () => {
  test('is a valid deployment config of N copies of the example app, each its own name, hostname and repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-fleet-test-'));
    try {
      const file = join(dir, 'fleet.json');
      writeFileSync(file, JSON.stringify(fleetConfig(ROOT, 3)));
      const config = loadDeploymentConfig(file);
      expect(config.apps.map((a) => a.name)).toEqual(fleetApps(3));
      expect(new Set(config.apps.map((a) => a.hostname)).size).toBe(3);
      expect(config.apps.every((a) => Object.keys(a.processes).sort().join() === 'web,worker')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one measured fleet', () => {
  let sample: FleetSample;
  beforeAll(async () => {
    sample = await measureFleet(ROOT, 3, 3);
  }, 60000);

  test('every app is deployed, each no sooner than its release task and ECS deployment take', () => {
    expect(sample.failed).toEqual([]);
    expect(sample.deployed).toBe(3);
    expect(sample.executions).toBe(9);
    expect(sample.pushToDeployed.median).toBeGreaterThanOrEqual(sample.releaseSeconds + sample.settleSeconds);
    expect(sample.lastDeployedAt).toBeGreaterThanOrEqual(sample.pushToDeployed.max);
  });

  test('its goal passes, and a fleet with a failed execution misses it, naming the error', () => {
    const results = { samples: [sample], alone: sample, limits: [], stateTransitions: { burst: 5000, refillPerSecond: 1500, source: 'x' }, lambdaConcurrency: { limit: 1000, source: 'y' }, region: 'us-east-1' };
    expect(fleetGoals(results).map((g) => g.pass)).toEqual([true]);
    const failing = { ...sample, failed: [{ name: 'fleet-002-42-deploy', error: 'TransientError' }] };
    const [goal] = fleetGoals({ ...results, samples: [failing] });
    expect(goal).toMatchObject({ pass: false, note: expect.stringContaining('TransientError') });
    expect(renderFleet(results)).toContain('## 7. Fleet');
  });
});
