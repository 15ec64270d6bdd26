import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';
import { AccountStack } from '../../lib/stacks/account-stack';
import { DashboardNotBuilt } from '../../lib/constructs/dashboard-site';
import { stackTestApp } from '../helpers/example-stacks';

/**
 * The account stack with `account.signIn` (issue 25): the dashboard site, the people role and the actions
 * function. The people role's and the actions function's permissions are proven with the IAM evaluator in
 * test/lib/iam/dashboard-access.test.ts; here, the resources' settings and cdk-nag.
 */

const SIGN_IN = { issuer: 'https://login.example.com', clientId: 'slipway-dashboard-example' };
const WEB = path.join(__dirname, '..', 'fixtures', 'dashboard-web');

function build(signIn: Record<string, unknown> = SIGN_IN, dashboardDir = WEB): { stack: AccountStack; template: Template } {
  const config = parseDeploymentConfig({ clusters: [{ name: 'production' }, { name: 'staging' }], account: { signIn } });
  const stack = new AccountStack(stackTestApp(), 'Account', { config, dashboardDir });
  return { stack, template: Template.fromStack(stack) };
}

describe('with account.signIn', () => {
  const { stack, template } = build();

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`)).toEqual([]);
  });

  test('the bucket is private: public access blocked, SSL enforced, encrypted; CloudFront reads it through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' })]) },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html', DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }) }) });
  });

  test('the built files and config.json are uploaded; config.json names the provider, the people role, the tag keys and the actions URL', () => {
    expect(Object.keys(template.findResources('Custom::CDKBucketDeployment'))).toHaveLength(3);
    const config = stack.resolve(stack.dashboardSite?.publishedConfig) as Record<string, unknown>;
    expect(config).toEqual({
      region: { Ref: 'AWS::Region' },
      prefix: 'slipway',
      signIn: { issuer: 'https://login.example.com', clientId: 'slipway-dashboard-example', scopes: ['openid', 'profile', 'email'] },
      roleArn: { 'Fn::GetAtt': [expect.stringMatching(/^PeopleRole/), 'Arn'] },
      appTags: { claim: 'https://aws.amazon.com/tags', tagKeys: ['slipway-app-1', 'slipway-app-2', 'slipway-app-3', 'slipway-app-4', 'slipway-app-5'] },
      actionsUrl: { 'Fn::GetAtt': [expect.stringMatching(/^DashboardActionsFunctionFunctionUrl/), 'FunctionUrl'] },
    });
  });

  test('config.json is stored with Cache-Control no-store and never cached by CloudFront; index.html is revalidated; the hashed assets are immutable, and their deployment prunes neither', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')).map((r) => r.Properties as Record<string, unknown>);
    const config = deployments.filter((d) => d.SourceMarkers !== undefined); // the one with the stack's values (config.json)
    expect(config).toHaveLength(1);
    expect(config[0]).toMatchObject({ SystemMetadata: { 'cache-control': 'no-store' }, Prune: false, DistributionPaths: ['/config.json'] });
    const page = deployments.filter((d) => JSON.stringify(d.Include ?? []) === '["index.html"]');
    expect(page).toHaveLength(1);
    expect(page[0]).toMatchObject({ SystemMetadata: { 'cache-control': 'no-cache' }, Exclude: ['*'], Prune: false });
    // The content-hashed files only, for a year and immutable (RFC 8246), as slipway local serve sends them.
    const files = deployments.filter((d) => d.Prune !== false);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ Exclude: ['*'], Include: ['assets/*'], SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' }, DistributionPaths: ['/assets/*'] });
    // CachingDisabled, the managed policy whose TTLs are 0 (CloudFront Developer Guide, "Use managed cache policies").
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ CacheBehaviors: [Match.objectLike({ PathPattern: 'config.json', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', ViewerProtocolPolicy: 'redirect-to-https' })] }),
    });
  });

  test('the actions function URL takes IAM auth only, and CORS only from the dashboard', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', Cors: Match.objectLike({ AllowMethods: ['POST'], AllowOrigins: [Match.objectLike({ 'Fn::Join': Match.anyValue() })] }) });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'slipway-dashboard-actions', Environment: { Variables: Match.objectLike({ SLIPWAY_PREFIX: 'slipway' }) } });
  });

  test('the OIDC provider is created for the issuer and client; the people role lasts an hour', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', { Url: 'https://login.example.com', ClientIdList: ['slipway-dashboard-example'] });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'slipway-people', MaxSessionDuration: 3600 });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 5);
  });
});

test('an existing provider is imported, not created', () => {
  const { template } = build({ ...SIGN_IN, providerArn: 'arn:aws:iam::123456789012:oidc-provider/login.example.com' });
  template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
});

test('without account.signIn nothing of the dashboard is deployed', () => {
  const config = parseDeploymentConfig({ clusters: [{ name: 'production' }] });
  const template = Template.fromStack(new AccountStack(stackTestApp(), 'Account', { config, dashboardDir: WEB }));
  template.resourceCountIs('AWS::CloudFront::Distribution', 0);
  template.resourceCountIs('AWS::Lambda::Url', 0);
});

test('a dashboard that is not built is DashboardNotBuilt, saying to run npm run build:web', () => {
  expect(() => build(SIGN_IN, path.join(__dirname, 'no-such-folder'))).toThrow(DashboardNotBuilt);
  expect(() => build(SIGN_IN, path.join(__dirname, 'no-such-folder'))).toThrow('Run npm run build:web');
});

test.each([
  [{ issuer: 'http://login.example.com', clientId: 'x' }, 'account.signIn.issuer'],
  [{ issuer: 'https://login.example.com/', clientId: 'x' }, 'account.signIn.issuer'],
  [{ issuer: 'https://login.example.com', clientId: '' }, 'account.signIn.clientId'],
  [{ issuer: 'https://login.example.com', clientId: 'x', scopes: ['profile'] }, 'account.signIn.scopes'],
  [{ issuer: 'https://login.example.com', clientId: 'x', providerArn: 'arn:aws:iam::123456789012:oidc-provider/other.example.com' }, 'account.signIn.providerArn'],
])('a bad sign-in config %j names its key', (signIn, key) => {
  expect(() => parseDeploymentConfig({ clusters: [{ name: 'production' }], account: { signIn } })).toThrow(DeploymentConfigError);
  expect(() => parseDeploymentConfig({ clusters: [{ name: 'production' }], account: { signIn } })).toThrow(key);
});
