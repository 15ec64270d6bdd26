import { type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';
import { AccountStack, githubSubjects } from '../../lib/stacks/account-stack';
import { stackTestApp } from '../helpers/example-stacks';

/** Builds an account stack from a raw Slipway config, validated as `cdk synth` would. */
function build(raw: Record<string, unknown>): { stack: AccountStack; template: Template } {
  const app = stackTestApp();
  const config = parseDeploymentConfig({ clusters: [{ name: 'production' }], ...raw });
  const stack = new AccountStack(app, 'Account', { config });
  return { stack, template: Template.fromStack(stack) };
}

/** cdk-nag AwsSolutions findings left after the stack's acknowledgements, as `rule: paths`. */
function nagFindings(stack: AccountStack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`);
}

/** The statements of every IAM policy (inline `AWS::IAM::Policy`) in the template. */
function policyStatements(template: Template): { Action: string | string[]; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const GITHUB = {
  githubOidc: {
    repositories: [
      { repository: 'example-org/example-app', branches: ['main', 'release'] },
      { repository: 'example-org/docs-site', branches: ['main'] },
    ],
  },
};

const ARN_JOIN = (suffix: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ...suffix.split('|').map((s) => (s.startsWith('@') ? { Ref: s.slice(1) } : s))]],
});

describe('AccountStack with the default config', () => {
  let stack: AccountStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = build({}));
  });

  test('the Parameter Store rule only matches parameters under /slipway/', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['Parameter Store Change'],
        detail: { name: [{ prefix: '/slipway/' }] },
      },
    });
    expect(stack.parameterPrefix).toBe('/slipway/');
  });

  test('the Parameter Store rule is exposed and logs to the activity log group', () => {
    const ssmRules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: Match.objectLike({ source: ['aws.ssm'] }) } });
    expect(Object.keys(ssmRules)).toEqual([stack.getLogicalId(stack.activityRules.parameterChange.node.defaultChild as CfnElement)]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ssm'] }),
      Targets: [Match.objectLike({ Arn: ARN_JOIN(':logs:|@AWS::Region|:|@AWS::AccountId|:log-group:|@' + logGroupId(template)) })],
    });
  });

  test('ECS task state changes of the slipway-* clusters are logged', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        resources: [{ prefix: ARN_JOIN(':ecs:|@AWS::Region|:|@AWS::AccountId|:task/slipway-') }],
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  test('ECS deployment state changes of services in the slipway-* clusters are logged', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        resources: [{ prefix: ARN_JOIN(':ecs:|@AWS::Region|:|@AWS::AccountId|:service/slipway-') }],
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
  });

  test('the activity log group has a name and a retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/slipway/activity', RetentionInDays: 90 });
  });

  test('EventBridge may write only to the activity log group', () => {
    const policies = Object.values(template.findResources('AWS::Logs::ResourcePolicy'));
    expect(policies).toHaveLength(1);
    const document = JSON.stringify(policies[0].Properties.PolicyDocument);
    expect(document).toContain('\\"Principal\\":{\\"Service\\":[\\"events.amazonaws.com\\",\\"delivery.logs.amazonaws.com\\"]}');
    expect(document).toContain('\\"Action\\":[\\"logs:CreateLogStream\\",\\"logs:PutLogEvents\\"]');
    expect(document).toContain(`{"Fn::GetAtt":["${logGroupId(template)}","Arn"]}`);
  });

  test('no role is trusted by EventBridge: the account stack\'s rules target log groups, which need none', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    const trusted = roles.filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('events.amazonaws.com'));
    expect(trusted).toEqual([]);
  });

  test('creates no OIDC provider or deploy role unless configured', () => {
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(stack.deployRole).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  test('one KMS key for every alert topic of the account, rotated, aliased alias/slipway/alerts', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/slipway/alerts' });
  });

  test('the alerts key lets CloudWatch alarms (of this account) and EventBridge rules encrypt what they publish, and nothing else', () => {
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0];
    const services = (key.Properties.KeyPolicy.Statement as { Principal: { Service?: string }; Action: string[]; Condition?: unknown }[]).filter((st) => st.Principal.Service);
    expect(services.map((st) => [st.Principal.Service, [...st.Action].sort()])).toEqual([
      ['cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*']],
      ['events.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*']],
    ]);
    expect(services[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  test('no IAM statement has a `*` resource', () => {
    expect(policyStatements(template).filter((s) => JSON.stringify(s.Resource) === '"*"')).toEqual([]);
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('AccountStack with GitHub OIDC', () => {
  let stack: AccountStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = build({ account: GITHUB }));
  });

  test('creates the GitHub Actions OIDC provider for the STS audience', () => {
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  test('the deploy role trusts only pushes to the configured repositories and branches', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: { Ref: Match.stringLikeRegexp('^GitHubOidcProvider') } },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': [
                  'repo:example-org/example-app:ref:refs/heads/main',
                  'repo:example-org/example-app:ref:refs/heads/release',
                  'repo:example-org/docs-site:ref:refs/heads/main',
                ],
              },
            },
          },
        ],
      },
    });
  });

  test('the deploy role may only assume the CDK bootstrap roles of this account', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GitHubDeployRole') }],
      PolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: ARN_JOIN(':iam::|@AWS::AccountId|:role/cdk-*') }],
      },
    });
    template.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })] }),
        ManagedPolicyArns: Match.absent(),
        Policies: Match.absent(),
      }),
    });
  });

  test('outputs the deploy role ARN for the workflow', () => {
    template.hasOutput('DeployRoleArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GitHubDeployRole'), 'Arn'] } });
  });

  test('no IAM statement has a `*` resource', () => {
    expect(policyStatements(template).filter((s) => JSON.stringify(s.Resource) === '"*"')).toEqual([]);
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('AccountStack with an existing GitHub OIDC provider', () => {
  const providerArn = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

  test('reuses the provider instead of creating one', () => {
    const { template } = build({ account: { githubOidc: { ...GITHUB.githubOidc, providerArn } } });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Federated: providerArn } })] },
    });
  });

  test('config: a providerArn that is not a GitHub OIDC provider is rejected, naming the key', () => {
    const bad = { account: { githubOidc: { ...GITHUB.githubOidc, providerArn: 'arn:aws:iam::123456789012:oidc-provider/example.com' } } };
    expect(() => parseDeploymentConfig({ clusters: [{ name: 'production' }], ...bad })).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig({ clusters: [{ name: 'production' }], ...bad })).toThrow(/account\.githubOidc\.providerArn: /);
  });
});

describe('AccountStack with another prefix', () => {
  test('filters parameters and ECS events by that prefix', () => {
    const { template } = build({ prefix: 'acme' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { name: [{ prefix: '/acme/' }] } }) });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ resources: [{ prefix: ARN_JOIN(':ecs:|@AWS::Region|:|@AWS::AccountId|:task/acme-') }] }),
    });
  });
});

describe('githubSubjects', () => {
  test('lists one subject per repository and branch', () => {
    expect(githubSubjects([{ repository: 'o/r', branches: ['main', 'v1'] }])).toEqual(['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/heads/v1']);
  });
});

/** Logical ID of the activity log group. */
function logGroupId(template: Template): string {
  const [id] = Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.stringLikeRegexp('/activity$') } }));
  return id;
}
