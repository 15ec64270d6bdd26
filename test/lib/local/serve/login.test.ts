import { mkdtempSync, statSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { cliClientConfig } from '../../../../lib/ops/aws-clients';
import { setCommandApp } from '../../../../lib/ops/command-app';
import { awsCredentialsConfigured, login, loginCacheFile, loginSession, readLoginCache, type LoginCache } from '../../../../lib/ops/login';
import type { LocalEndpoint } from '../../../../lib/local/serve/server';
import { ROOT, startEndpoint } from './endpoint-helpers';

/**
 * `slipway login` (lib/ops/login.ts) against `slipway local serve`'s issuer and STS: the browser part is
 * played by following the printed URL (login_hint picks the person, the issuer redirects to the loopback
 * address), then one session per app is cached (0600) and used by the CLI's clients when no AWS
 * credentials or profile are set; a plain profile keeps working.
 */

const WORLD = { config: path.join(ROOT, 'test/fixtures/configs/prefix-apps.json'), apps: ['example', 'example-admin'] };
let endpoint: LocalEndpoint;
let home: string;
const saved = { ...process.env };

/** The browser: opens the sign-in URL as `person` and follows the redirect to the CLI's loopback server. */
const browserAs = (person: string) => async (url: string) => {
  const u = new URL(url);
  u.searchParams.set('login_hint', person);
  const res = await fetch(u, { redirect: 'manual' });
  await fetch(res.headers.get('location') as string);
};

beforeAll(async () => {
  endpoint = await startEndpoint(WORLD, { people: [{ id: 'ada', apps: ['example'] }, { id: 'nobody', apps: [] }] });
  home = mkdtempSync(path.join(tmpdir(), 'slipway-login-'));
  process.env.SLIPWAY_HOME = path.join(home, '.slipway');
  // No default profile either (the shared files of this test only).
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, 'aws-credentials');
  process.env.AWS_CONFIG_FILE = path.join(home, 'aws-config');
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_WEB_IDENTITY_TOKEN_FILE']) delete process.env[k];
});
afterAll(async () => {
  process.env = saved;
  setCommandApp(undefined);
  rmSync(home, { recursive: true, force: true });
  await endpoint.close();
});

describe('slipway login', () => {
  let cache: LoginCache;
  beforeAll(async () => {
    cache = await login(endpoint.url, { openUrl: browserAs('ada'), timeoutMs: 20_000 });
  });

  test('keeps one session per app the token tags, with its expiry, in ~/.slipway/credentials.json readable by the owner only', () => {
    expect(Object.keys(cache.sessions)).toEqual(['example']);
    expect(new Date(cache.sessions.example.expiration).getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(loginCacheFile()).toBe(path.join(home, '.slipway', 'credentials.json'));
    expect(statSync(loginCacheFile()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(loginCacheFile(), 'utf8'))).toMatchObject({ subject: 'ada', region: 'us-east-1', endpoint: endpoint.url });
  });

  test('later commands use the session of the app they name when no AWS credentials are set: example yes, example-admin AccessDenied', async () => {
    setCommandApp('example');
    const sts = new STSClient(cliClientConfig());
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:sts::123456789012:assumed-role/slipway-people/app-example');
    const ssm = new SSMClient(cliClientConfig());
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/slipway/apps/example/config' }))).resolves.toBeDefined();
    await expect(ssm.send(new GetParametersByPathCommand({ Path: '/slipway/apps/example-admin/config' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('a command for an app the person was not given says so (NoCredentials), naming the apps they have', () => {
    expect(() => loginSession(readLoginCache() as LoginCache, 'example-admin')).toThrow('slipway login gave you example, not example-admin');
  });

  test('an expired session says to log in again', () => {
    expect(() => loginSession(readLoginCache() as LoginCache, 'example', new Date(Date.now() + 7200_000))).toThrow(`run slipway login ${endpoint.url} again`);
  });

  test('a default profile in the shared credentials file is a profile set: the login is not used', () => {
    writeFileSync(path.join(home, 'aws-credentials'), '[default]\naws_access_key_id = test\naws_secret_access_key = test\n');
    try {
      expect(awsCredentialsConfigured()).toBe(true);
      expect(cliClientConfig()).not.toHaveProperty('credentials');
    } finally {
      rmSync(path.join(home, 'aws-credentials'));
    }
    expect(awsCredentialsConfigured()).toBe(false);
  });

  test('with AWS credentials set (a profile, keys) the login is not used', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    try {
      setCommandApp('example');
      const sts = new STSClient({ ...cliClientConfig(), region: 'us-east-1', endpoint: endpoint.url });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe('arn:aws:iam::123456789012:user/slipway-local');
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});

test('a person the token gives no app is told to ask for their apps (LoginFailed)', async () => {
  await expect(login(endpoint.url, { openUrl: browserAs('nobody'), timeoutMs: 20_000 })).rejects.toMatchObject({ name: 'LoginFailed', message: expect.stringContaining('names no app') });
});

test('a URL that is not a dashboard is LoginFailed', async () => {
  await expect(login(`${endpoint.url}/nothing-here`, { openUrl: () => undefined, timeoutMs: 1000 })).rejects.toMatchObject({ name: 'LoginFailed' });
});
