import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { DatabaseManager } from '../../lib/constructs/database-manager';

// The deployed manager is an esbuild bundle: libpg-query (db sql's transaction-control check) reads its
// WASM parser from beside the bundled code, so the construct copies it there. This test bundles the
// manager as `cdk synth` does and runs the bundled handler on a request it must refuse before connecting.

const ROOT = path.join(__dirname, '..', '..');
let outdir: string;

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

test('the bundled manager carries the parser and refuses COMMIT in a runSql text before connecting', () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'slipway-manager-bundle-'));
  const app = new App({ outdir, treeMetadata: false });
  const stack = new Stack(app, 'Db', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  const manager = new DatabaseManager(stack, 'Manager', {
    cluster,
    adminSecret: cluster.secret!,
    adminUser: 'postgres',
    driver: 'data-api',
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ownerSecretPrefix: 'slipway/db/test/',
  });
  const assembly = app.synth();
  const code = (assembly.getStackByName('Db').template as { Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }> }).Resources[
    stack.getLogicalId(manager.function.node.defaultChild as never)
  ].Properties?.Code?.S3Key;
  const assetDir = path.join(outdir, `asset.${String(code).replace(/\.zip$/, '')}`);
  expect(existsSync(path.join(assetDir, 'index.js'))).toBe(true);
  expect(existsSync(path.join(assetDir, 'libpg-query.wasm'))).toBe(true);

  // The AWS SDK is the Lambda runtime's: here it comes from the repository's node_modules.
  const script = `require(${JSON.stringify(path.join(assetDir, 'index.js'))}).handler({ action: 'runSql', database: 'app', sql: 'insert into t values (1); commit' })
    .then(() => console.log('ran'), (e) => console.log(e.name + ': ' + e.message))`;
  const out = execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', NODE_PATH: path.join(ROOT, 'node_modules'), AWS_REGION: 'eu-west-1', DB_DRIVER: 'data-api', CLUSTER_ARN: 'arn:aws:rds:eu-west-1:123456789012:cluster:x', ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  expect(out.trim().split('\n').pop()).toBe('TransactionControlRefused: refused before anything ran (statement 2: COMMIT (or END) (transaction control)): db sql runs the whole text in one transaction and commits it only when every statement succeeded, so leave out BEGIN/COMMIT/ROLLBACK (SAVEPOINT is allowed)');
});
