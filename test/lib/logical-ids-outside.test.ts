import { App, CfnResource, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { logicalIdOutside } from '../../lib/stacks/logical-ids';

/** A stack that leaves its direct children named in `groupings` out of logical IDs, as AppStack does. */
class GroupingStack extends Stack {
  constructor(scope: Construct, id: string, private readonly groupings: ReadonlySet<string>) {
    super(scope, id);
  }

  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdOutside(this.groupings, this, element);
  }
}

const resource = (scope: Construct, id: string) => new CfnResource(scope, id, { type: 'AWS::SQS::Queue' });

function logicalIds(stack: Stack): string[] {
  return Object.keys(Template.fromStack(stack).toJSON().Resources as object).sort();
}

describe('logicalIdOutside', () => {
  test('a resource moved into a grouping construct keeps the logical ID CDK gave it in the stack (also nested below a former path)', () => {
    const app = new App();
    const before = new Stack(app, 'Before');
    resource(before, 'Queue');
    resource(new Construct(before, 'Pipelines'), 'Table');

    const after = new GroupingStack(app, 'After', new Set(['Records']));
    const records = new Construct(after, 'Records');
    resource(records, 'Queue');
    resource(new Construct(records, 'Pipelines'), 'Table');

    expect(logicalIds(after)).toEqual(logicalIds(before));
  });

  test('only the grouping constructs directly in the stack are left out: another construct on the path still changes the ID', () => {
    const app = new App();
    const before = new Stack(app, 'Before');
    resource(before, 'Queue');
    const after = new GroupingStack(app, 'After', new Set(['Records']));
    resource(new Construct(after, 'Other'), 'Queue');
    expect(logicalIds(after)).not.toEqual(logicalIds(before));
  });
});
