import { resolveValue, stackResolver, UnresolvableError, type CfnTemplate, type ResolveEnv } from './intrinsics';

/** One test per intrinsic function, as aws-cloudformation-iam-policy-validator tests each evaluator. */

const app: CfnTemplate = {
  Parameters: { BootstrapVersion: { Default: '/cdk-bootstrap/hnb659fds/version' } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    NamedRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Join': ['-', ['app', { Ref: 'AWS::Region' }]] } } },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/slipway/apps/shop' } },
    Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'slipway-production-deploy' } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Bucket: { Type: 'AWS::Serverless::Thing', Properties: {} },
  },
};
const cluster: CfnTemplate = {
  Resources: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'slipway-production' } } },
  Outputs: {
    ClusterArn: { Value: { 'Fn::GetAtt': ['Cluster', 'Arn'] }, Export: { Name: { 'Fn::Join': [':', [{ Ref: 'AWS::StackName' }, 'ClusterArn']] } } },
  },
};
const env: ResolveEnv = { partition: 'aws', region: 'eu-west-1', account: '123456789012', stacks: new Map([['Slipway-App-shop', app], ['Slipway-Cluster-production', cluster]]) };
const r = stackResolver(env, 'Slipway-App-shop');

describe('CloudFormation intrinsics resolved for one account and Region', () => {
  test('Ref of a pseudo parameter', () => {
    expect(r.resolve([{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }, { Ref: 'AWS::StackName' }])).toEqual(['aws', 'eu-west-1', '123456789012', 'amazonaws.com', 'Slipway-App-shop']);
    expect(r.resolve({ a: { Ref: 'AWS::NoValue' }, b: 1 })).toEqual({ b: 1 });
    expect(() => r.resolve({ Ref: 'AWS::Nonsense' })).toThrow(UnresolvableError);
  });

  test('Ref of a resource: its name property, or a generated name; of a parameter: its default', () => {
    expect(r.resolve({ Ref: 'NamedRole' })).toBe('app-eu-west-1');
    expect(r.resolve({ Ref: 'Table' })).toBe('Slipway-App-shop-Table-GENERATED');
    expect(r.resolve({ Ref: 'Machine' })).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-production-deploy');
    expect(r.resolve({ Ref: 'Queue' })).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/Slipway-App-shop-Queue-GENERATED');
    expect(r.resolve({ Ref: 'BootstrapVersion' })).toBe('/cdk-bootstrap/hnb659fds/version');
  });

  test('Ref of a missing resource or of a type without known return values is an error naming it', () => {
    expect(() => r.resolve({ Ref: 'Missing' })).toThrow('no resource Missing');
    expect(() => r.resolve({ Ref: 'Bucket' })).toThrow(/Bucket is a AWS::Serverless::Thing/);
  });

  test('Fn::GetAtt, in both forms', () => {
    expect(r.resolve({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/Slipway-App-shop-Table-GENERATED');
    expect(r.resolve({ 'Fn::GetAtt': ['NamedRole', 'Arn'] })).toBe('arn:aws:iam::123456789012:role/app-eu-west-1');
    expect(r.resolve({ 'Fn::GetAtt': 'Logs.Arn' })).toBe('arn:aws:logs:eu-west-1:123456789012:log-group:/slipway/apps/shop:*');
    expect(() => r.resolve({ 'Fn::GetAtt': ['Table', 'StreamArn'] })).toThrow(/attribute StreamArn of AWS::DynamoDB::Table/);
  });

  test('Fn::Join', () => {
    expect(r.resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':x']] })).toBe('arn:aws:ssm:eu-west-1:x');
    expect(r.resolve({ 'Fn::Join': [',', { 'Fn::Split': ['/', 'a/b'] }] })).toBe('a,b');
  });

  test('Fn::Sub: pseudo parameters, resources, attributes, variables and ${!literal}', () => {
    expect(r.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}' })).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/Slipway-App-shop-Table-GENERATED');
    expect(r.resolve({ 'Fn::Sub': ['${Role}/x-${!Literal}', { Role: { 'Fn::GetAtt': ['NamedRole', 'Arn'] } }] })).toBe('arn:aws:iam::123456789012:role/app-eu-west-1/x-${Literal}');
    expect(r.resolve({ 'Fn::Sub': '${Logs.Arn}' })).toBe('arn:aws:logs:eu-west-1:123456789012:log-group:/slipway/apps/shop:*');
  });

  test('Fn::Select and Fn::Split', () => {
    const arn = { 'Fn::GetAtt': ['Table', 'Arn'] };
    expect(r.resolve({ 'Fn::Select': [4, { 'Fn::Split': [':', arn] }] })).toBe('123456789012');
    expect(r.resolve({ 'Fn::Split': [':', 'a:b'] })).toEqual(['a', 'b']);
    expect(() => r.resolve({ 'Fn::Select': [9, ['a']] })).toThrow(/out of range/);
  });

  test('Fn::ImportValue: the exporting stack\'s output, resolved in that stack', () => {
    expect(r.resolve({ 'Fn::ImportValue': 'Slipway-Cluster-production:ClusterArn' })).toBe('arn:aws:ecs:eu-west-1:123456789012:cluster/slipway-production');
    expect(() => r.resolve({ 'Fn::ImportValue': 'Nobody:Exports' })).toThrow('no stack of the deployment exports Nobody:Exports');
  });

  test('an intrinsic the resolver does not know is an error; other objects and lists are resolved element by element', () => {
    expect(() => resolveValue({ 'Fn::If': ['c', 1, 2] }, { env, stackName: 'x', template: app })).toThrow('the resolver does not know Fn::If');
    expect(r.resolve({ Statement: [{ Resource: [{ Ref: 'AWS::Region' }, 'x'] }] })).toEqual({ Statement: [{ Resource: ['eu-west-1', 'x'] }] });
  });
});
