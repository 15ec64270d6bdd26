import { Names, type CfnElement } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/**
 * For a stack's `allocateLogicalId`: the logical ID of `element` as if the stack's direct children whose ids
 * are in `groupings` were not on its path, i.e. what it was before those constructs grouped resources that
 * stood directly in the stack. A new logical ID is a new resource (a new table without the records, a named
 * repository, log group or policy that fails to create), so a stack that groups deployed resources into
 * constructs keeps their IDs this way and `cdk deploy` replaces nothing. test/lib/logical-ids.test.ts checks
 * every stack's IDs against those recorded before.
 */
export function logicalIdOutside(groupings: ReadonlySet<string>, stack: IConstruct, element: CfnElement): string {
  // CDK asks again on every resolve; a construct's path never changes.
  const known = cache.get(element);
  if (known !== undefined) return known;
  const scopes = element.node.scopes;
  const path = scopes
    .slice(scopes.indexOf(stack) + 1)
    .filter((s) => !(s.node.scope === stack && groupings.has(s.node.id)))
    .map((s) => s.node.id);
  // `Names.uniqueId` is CDK's logical-ID algorithm (the one `Stack.allocateLogicalId` uses) over a construct's
  // path below its root: a detached tree holding only the former path gives the former ID.
  let node: IConstruct = new Construct(undefined as unknown as Construct, '');
  for (const id of path) node = new Construct(node as Construct, id);
  const id = Names.uniqueId(node);
  cache.set(element, id);
  return id;
}

const cache = new WeakMap<CfnElement, string>();
