import { alarmsEnabled, parseDeploymentConfig, scaleScheduleOf } from '../../lib/deployment-config';
import { configErrorOf } from '../helpers/config-errors';

/** A minimal valid config with `app` merged into its one app and `db` into its one database. */
function raw(app: Record<string, unknown> = {}, db: Record<string, unknown> = {}) {
  return {
    clusters: [{ name: 'production' }],
    databases: [{ name: 'main', cluster: 'production', ...db }],
    apps: [{ name: 'example', cluster: 'production', repository: { owner: 'o', name: 'r' }, httpOnly: true, processes: { web: { port: 3000 } }, ...app }],
  };
}


describe('monitoring config', () => {
  test('an app gets the documented alarm defaults', () => {
    expect(parseDeploymentConfig(raw()).apps[0].monitoring).toEqual({
      emails: [],
      dashboard: false,
      periodSeconds: 60,
      evaluationPeriods: 5,
      http5xxRatePercent: 5,
      targetResponseTimeSeconds: 2,
      cpuPercent: 85,
      memoryPercent: 85,
      tasksBelowDesiredMinutes: 15,
    });
  });

  test('alarms are on for production apps and off for the others, unless monitoring.alarms says otherwise', () => {
    expect(alarmsEnabled(parseDeploymentConfig(raw()).apps[0])).toBe(true);
    expect(alarmsEnabled(parseDeploymentConfig(raw({ production: false })).apps[0])).toBe(false);
    expect(alarmsEnabled(parseDeploymentConfig(raw({ production: false, monitoring: { alarms: true } })).apps[0])).toBe(true);
    expect(alarmsEnabled(parseDeploymentConfig(raw({ monitoring: { alarms: false } })).apps[0])).toBe(false);
  });

  test('an app named like a cluster is refused: the control plane uses <prefix>-<cluster>-... names', () => {
    expect(configErrorOf(raw({ name: 'production' }))).toBe('invalid config: apps[0].name: "production" is also a cluster\'s name: the cluster\'s control plane uses <prefix>-production-... names, choose another app name');
  });

  test('a prefix and cluster name whose control-plane function names pass Lambda\'s 64 characters are refused, naming the cluster', () => {
    // slipway-<cluster>-register-task-definitions: 8 + 1 + 25 characters around the cluster's name.
    const cluster = 'c'.repeat(31);
    const config = { ...raw(), clusters: [{ name: cluster }], databases: [], apps: [] };
    expect(configErrorOf(config)).toBe(`invalid config: clusters[0].name: the cluster's control-plane function "slipway-${cluster}-register-task-definitions" (<prefix>-<cluster>-<handler>) would have 65 characters, Lambda allows 64: shorten the prefix or the cluster's name`);
    expect(() => parseDeploymentConfig({ ...config, clusters: [{ name: 'c'.repeat(30) }] })).not.toThrow();
  });

  test('a database gets the documented alarm defaults', () => {
    expect(parseDeploymentConfig(raw()).databases[0].monitoring).toEqual({ emails: [], periodSeconds: 300, evaluationPeriods: 3, cpuPercent: 80, freeableMemoryMiB: 256, connections: 200, freeLocalStorageGiB: 2 });
  });

  test('a bad e-mail address is named with its path', () => {
    expect(configErrorOf(raw({ monitoring: { emails: ['oncall'] } }))).toBe('invalid config: apps[0].monitoring.emails[0]: an e-mail address');
  });

  test('a period CloudWatch does not offer is named', () => {
    expect(configErrorOf(raw({ monitoring: { periodSeconds: 90 } }))).toMatch(/^invalid config: apps\[0\]\.monitoring\.periodSeconds: /);
  });

  test('an unknown monitoring key is named', () => {
    expect(configErrorOf(raw({}, { monitoring: { diskPercent: 90 } }))).toBe('invalid config: databases[0].monitoring.diskPercent: unknown key');
  });

  test('a percentage above 100 is named', () => {
    expect(configErrorOf(raw({ monitoring: { cpuPercent: 150 } }))).toMatch(/^invalid config: apps\[0\]\.monitoring\.cpuPercent: /);
  });
});

describe('production and scaleToZero', () => {
  test('apps are production by default, with no schedule', () => {
    const app = parseDeploymentConfig(raw()).apps[0];
    expect(app.production).toBe(true);
    expect(scaleScheduleOf(app)).toBeUndefined();
  });

  test('a non-production app without scaleToZero gets 18:00-08:00 UTC on weekdays', () => {
    expect(scaleScheduleOf(parseDeploymentConfig(raw({ production: false })).apps[0])).toEqual({ enabled: true, timeZone: 'UTC', days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], stopAt: '18:00', startAt: '08:00' });
  });

  test('scaleToZero.enabled false keeps a non-production app running', () => {
    expect(scaleScheduleOf(parseDeploymentConfig(raw({ production: false, scaleToZero: { enabled: false } })).apps[0])).toBeUndefined();
  });

  test('scaleToZero on a production app is refused, naming the key', () => {
    expect(configErrorOf(raw({ scaleToZero: { stopAt: '19:00' } }))).toBe('invalid config: apps[0].scaleToZero: only non-production apps scale to zero: set "production": false, or remove scaleToZero');
  });

  test('an unknown time zone is named', () => {
    expect(configErrorOf(raw({ production: false, scaleToZero: { timeZone: 'Europe/Atlantis' } }))).toBe('invalid config: apps[0].scaleToZero.timeZone: an IANA time zone such as "Europe/Paris" or "UTC"');
  });

  test('a time that is not HH:MM is named', () => {
    expect(configErrorOf(raw({ production: false, scaleToZero: { stopAt: '6pm' } }))).toBe('invalid config: apps[0].scaleToZero.stopAt: a time of day as HH:MM (24-hour)');
  });

  test('an unknown day is named', () => {
    expect(configErrorOf(raw({ production: false, scaleToZero: { days: ['MON', 'FUNDAY'] } }))).toMatch(/^invalid config: apps\[0\]\.scaleToZero\.days\[1\]: /);
  });

  test('the same stop and start time is refused', () => {
    expect(configErrorOf(raw({ production: false, scaleToZero: { stopAt: '08:00', startAt: '08:00' } }))).toBe('invalid config: apps[0].scaleToZero.startAt: stopAt and startAt must differ');
  });
});
