import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { loadDeploymentConfig } from '../../lib/deployment-config';
import { addSlipwayStacks } from '../../lib/stacks/slipway-stacks';
import recorded from '../fixtures/logical-ids.json';
import { stackTestApp } from '../helpers/example-stacks';

/**
 * The migration guarantee: every stack of the example config keeps the logical IDs (and types) of its
 * resources and its output IDs, as recorded once in test/fixtures/logical-ids.json from the code before
 * AppStack became a list of constructs. A changed ID makes `cdk deploy` replace the resource (a new table
 * loses the app's records; a named repository, log group or policy fails to create). The fixture is never
 * regenerated from the code it checks: a construct that moves keeps its ID (its path, or `overrideLogicalId`).
 */
describe('logical IDs of the example config', () => {
  const config = loadDeploymentConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
  // No bundling (it never changes an ID), no tree metadata: test/helpers/example-stacks.ts.
  const stacks = addSlipwayStacks(stackTestApp(), config);
  const all = [stacks.account, ...stacks.clusters.values(), ...stacks.databases.values(), ...stacks.apps.values()];
  const { _comment, ...expected } = recorded as Record<string, unknown>;

  test('the same stacks as recorded', () => {
    expect(_comment).toMatch(/never regenerate/i);
    expect(all.map((s) => s.stackName).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(Object.keys(expected))('%s: every resource at its recorded logical ID and type, the same outputs', (stackName) => {
    const stack = all.find((s) => s.stackName === stackName)!;
    const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }>; Outputs?: Record<string, unknown> };
    const resources = Object.fromEntries(
      Object.entries(template.Resources)
        .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
        .map(([id, r]) => [id, r.Type])
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    expect({ resources, outputs: Object.keys(template.Outputs ?? {}).sort() }).toEqual(expected[stackName]);
  });
});
