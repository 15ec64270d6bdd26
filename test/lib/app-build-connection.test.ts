import { runSimulation } from '@cloud-copilot/iam-simulate';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { exampleApp, exampleConfig, synthesizeApps } from '../helpers/example-stacks';
import { resourcesOf, type Statement } from './iam';

/**
 * The app's repository read through an AWS CodeConnections (GitHub App) connection, the way CodeBuild's
 * guide sets it up (docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html): the
 * project's source Auth is the connection, and the project's role may get that connection's token, no other.
 */
const ACCOUNT = '123456789012';
const CONNECTION = `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/0123abcd-4567-89ef-0123-456789abcdef`;
const OTHER = `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/ffffffff-4567-89ef-0123-456789abcdef`;

describe('repository.connectionArn', () => {
  const app = { ...exampleApp, repository: { ...exampleApp.repository, connectionArn: CONNECTION } };
  const { connected, plain } = synthesizeApps({ connected: app, plain: exampleApp }, exampleConfig);
  const projectRoleStatements = (t: typeof connected): Statement[] => {
    const project = Object.values(t.findResources('AWS::CodeBuild::Project'))[0];
    const roleId = (project.Properties.ServiceRole as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    return Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  };

  test('the project reads the repository through the connection; without the key, through the account\'s default credential', () => {
    connected.hasResourceProperties('AWS::CodeBuild::Project', { Source: { Type: 'GITHUB', Auth: { Type: 'CODECONNECTIONS', Resource: CONNECTION } } });
    const source = Object.values(plain.findResources('AWS::CodeBuild::Project'))[0].Properties.Source;
    expect(source.Auth).toBeUndefined();
    expect(JSON.stringify(projectRoleStatements(plain))).not.toContain('codeconnections');
  });

  test('the project\'s role may get this connection\'s token (IAM evaluation), not another connection\'s', async () => {
    // The statements whose resources are literal ARNs (the others name the app's own resources by intrinsic).
    const statements = projectRoleStatements(connected).filter((s) => resourcesOf(s).every((r) => typeof r === 'string'));
    const decide = async (action: string, resource: string) => {
      const result = await runSimulation(
        {
          request: { principal: `arn:aws:iam::${ACCOUNT}:role/slipway-example-build`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
          identityPolicies: [{ name: 'project', policy: { Version: '2012-10-17', Statement: statements } }],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
        },
        {},
      );
      if (result.resultType !== 'single') throw new Error(`the simulation did not run: ${JSON.stringify(result)}`);
      return result.result.analysis.result;
    };
    expect(await decide('codeconnections:GetConnectionToken', CONNECTION)).toBe('Allowed');
    expect(await decide('codeconnections:GetConnection', CONNECTION)).toBe('Allowed');
    expect(await decide('codeconnections:GetConnectionToken', OTHER)).toBe('ImplicitlyDenied');
    expect(await decide('codeconnections:UseConnection', CONNECTION)).toBe('ImplicitlyDenied');
  });

  test('a value that is not a connection ARN is refused at synth, naming the key', () => {
    const raw = JSON.parse(JSON.stringify({ ...exampleConfig, apps: [{ ...app, repository: { ...app.repository, connectionArn: 'arn:aws:codestar:eu-west-1:123456789012:project/x' } }] }));
    expect(() => parseDeploymentConfig(raw)).toThrow(/apps\[0\]\.repository\.connectionArn: an AWS CodeConnections connection ARN/);
  });
});
