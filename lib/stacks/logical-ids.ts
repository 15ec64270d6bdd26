import { Names, type CfnElement } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/**
 * The logical ID of `element` in `stack` as if the constructs `flattened` picks were not on its path: what it
 * was before they grouped resources that stood directly in their parent. A stack that groups deployed
 * resources into constructs returns this from `allocateLogicalId`, so that `cdk deploy` replaces nothing
 * (a new logical ID is a new resource: a new table without the records, a named repository, log group or
 * policy that fails to create). test/lib/logical-ids.test.ts checks the IDs against those recorded before.
 */
export function logicalIdWithout(stack: IConstruct, element: CfnElement, flattened: (scope: IConstruct) => boolean): string {
  // CDK asks again on every resolve; a construct's path never changes, and `flattened` answers by position.
  const known = cache.get(element);
  if (known !== undefined) return known;
  const scopes = element.node.scopes;
  const path = scopes.slice(scopes.indexOf(stack) + 1).filter((s) => !flattened(s)).map((s) => s.node.id);
  // `Names.uniqueId` is CDK's logical-ID algorithm (the one `Stack.allocateLogicalId` uses) over a construct's
  // path below its root: a detached tree holding only the former path gives the former ID.
  let node = new Construct(undefined as unknown as Construct, '');
  for (const id of path) node = new Construct(node, id);
  const id = Names.uniqueId(node);
  cache.set(element, id);
  return id;
}

const cache = new WeakMap<CfnElement, string>();
