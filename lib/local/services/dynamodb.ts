import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedAwsError } from '../aws-error';
import type { SimulatedAccount } from './simulated-account';

/**
 * An in-memory DynamoDB table for the local runner: GetItem, PutItem, UpdateItem, DeleteItem and Query
 * with the expression subset Slipway's pipelines use (comparisons, AND/OR/NOT, attribute_exists,
 * attribute_not_exists, begins_with; SET, REMOVE and if_not_exists). Anything else is refused loudly,
 * so a pipeline cannot silently depend on what this model does not do.
 */

export type Item = Record<string, AttributeValue>;

/** Thrown like DynamoDB's own error: the step's Catch sees `DynamoDB.ConditionalCheckFailedException`. */
export class ConditionalCheckFailedException extends Error {
  public override readonly name = 'ConditionalCheckFailedException';
}

/** An expression this model does not support (a bug in a pipeline or in this model). */
export class UnsupportedExpression extends Error {
  public override readonly name = 'UnsupportedExpression';
}

interface ExprContext {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

type Token = { kind: 'name' | 'value' | 'ident' | 'op' | 'paren' | 'comma'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|(<=|>=|<>|=|<|>)|([(),])|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let pos = 0;
  while (pos < expr.length) {
    if (/^\s*$/.test(expr.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m) throw new UnsupportedExpression(`cannot parse expression at "${expr.slice(pos)}"`);
    pos = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'value', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'op', text: m[3] });
    else if (m[4]) tokens.push({ kind: m[4] === ',' ? 'comma' : 'paren', text: m[4] });
    else tokens.push({ kind: 'ident', text: m[5] });
  }
  return tokens;
}

function compareValues(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (!a || !b) return undefined;
  if (a.N !== undefined && b.N !== undefined) return Number(a.N) - Number(b.N);
  if (a.S !== undefined && b.S !== undefined) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  if (a.BOOL !== undefined && b.BOOL !== undefined) return a.BOOL === b.BOOL ? 0 : undefined;
  return undefined;
}

class ConditionParser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly item: Item | undefined, private readonly ctx: ExprContext) {}

  parse(): boolean {
    const v = this.or();
    if (this.i < this.tokens.length) throw new UnsupportedExpression(`unexpected "${this.tokens[this.i].text}"`);
    return v;
  }
  private peekIdent(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'ident' && t.text.toUpperCase() === word;
  }
  private or(): boolean {
    let v = this.and();
    while (this.peekIdent('OR')) {
      this.i++;
      const r = this.and();
      v = v || r;
    }
    return v;
  }
  private and(): boolean {
    let v = this.not();
    while (this.peekIdent('AND')) {
      this.i++;
      const r = this.not();
      v = v && r;
    }
    return v;
  }
  private not(): boolean {
    if (this.peekIdent('NOT')) {
      this.i++;
      return !this.not();
    }
    return this.primary();
  }
  private expect(kind: Token['kind'], text?: string): Token {
    const t = this.tokens[this.i++];
    if (!t || t.kind !== kind || (text && t.text !== text)) throw new UnsupportedExpression(`expected ${text ?? kind}, got "${t?.text ?? 'end'}"`);
    return t;
  }
  private operand(): AttributeValue | undefined {
    const t = this.tokens[this.i++];
    if (!t) throw new UnsupportedExpression('expression ends early');
    if (t.kind === 'value') {
      const v = this.ctx.values?.[t.text];
      if (!v) throw new UnsupportedExpression(`missing value for ${t.text}`);
      return v;
    }
    if (t.kind === 'name' || t.kind === 'ident') return this.item?.[resolveName(t.text, this.ctx)];
    throw new UnsupportedExpression(`unexpected "${t.text}"`);
  }
  private primary(): boolean {
    const t = this.tokens[this.i];
    if (t?.kind === 'paren' && t.text === '(') {
      this.i++;
      const v = this.or();
      this.expect('paren', ')');
      return v;
    }
    if (t?.kind === 'ident' && ['ATTRIBUTE_EXISTS', 'ATTRIBUTE_NOT_EXISTS', 'BEGINS_WITH'].includes(t.text.toUpperCase())) {
      this.i++;
      this.expect('paren', '(');
      const pathTok = this.tokens[this.i++];
      const path = resolveName(pathTok.text, this.ctx);
      let result: boolean;
      if (t.text.toUpperCase() === 'BEGINS_WITH') {
        this.expect('comma');
        const prefix = this.operand();
        const v = this.item?.[path];
        result = v?.S !== undefined && prefix?.S !== undefined && v.S.startsWith(prefix.S);
      } else {
        const exists = this.item !== undefined && this.item[path] !== undefined;
        result = t.text.toUpperCase() === 'ATTRIBUTE_EXISTS' ? exists : !exists;
      }
      this.expect('paren', ')');
      return result;
    }
    const left = this.operand();
    const op = this.expect('op').text;
    const right = this.operand();
    const c = compareValues(left, right);
    if (c === undefined) return op === '<>' ? JSON.stringify(left) !== JSON.stringify(right) : false;
    switch (op) {
      case '=':
        return c === 0;
      case '<>':
        return c !== 0;
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      default:
        return c >= 0;
    }
  }
}

function resolveName(text: string, ctx: ExprContext): string {
  if (text.startsWith('#')) {
    const n = ctx.names?.[text];
    if (!n) throw new UnsupportedExpression(`missing name for ${text}`);
    return n;
  }
  if (text.includes('.') || text.includes('[')) throw new UnsupportedExpression(`nested paths are not supported: ${text}`);
  return text;
}

/** Evaluates a condition expression against an item (undefined: the item does not exist). */
export function evaluateCondition(expr: string, item: Item | undefined, ctx: ExprContext): boolean {
  return new ConditionParser(tokenize(expr), item, ctx).parse();
}

/** Applies `SET a = :v, b = if_not_exists(b, :w) REMOVE c, d` to an item (in place). */
export function applyUpdate(expr: string, item: Item, ctx: ExprContext): void {
  const sections = expr.split(/\b(SET|REMOVE)\b/i).map((s) => s.trim()).filter(Boolean);
  for (let k = 0; k < sections.length; k += 2) {
    const verb = sections[k].toUpperCase();
    const body = sections[k + 1] ?? '';
    if (verb === 'SET') {
      for (const part of splitTopLevel(body)) {
        const m = /^([#A-Za-z0-9_]+)\s*=\s*(.+)$/.exec(part.trim());
        if (!m) throw new UnsupportedExpression(`cannot parse SET clause "${part}"`);
        const target = resolveName(m[1], ctx);
        const rhs = m[2].trim();
        const ine = /^if_not_exists\(\s*([#A-Za-z0-9_]+)\s*,\s*(:[A-Za-z0-9_]+)\s*\)$/i.exec(rhs);
        if (ine) {
          const existing = item[resolveName(ine[1], ctx)];
          item[target] = existing ?? valueOf(ine[2], ctx);
        } else if (/^:[A-Za-z0-9_]+$/.test(rhs)) {
          item[target] = valueOf(rhs, ctx);
        } else {
          throw new UnsupportedExpression(`unsupported SET value "${rhs}"`);
        }
      }
    } else if (verb === 'REMOVE') {
      for (const part of body.split(',')) delete item[resolveName(part.trim(), ctx)];
    } else {
      throw new UnsupportedExpression(`unsupported update clause ${verb}`);
    }
  }
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts;
}

function valueOf(ref: string, ctx: ExprContext): AttributeValue {
  const v = ctx.values?.[ref];
  if (!v) throw new UnsupportedExpression(`missing value for ${ref}`);
  return v;
}

const keyOf = (item: Item) => `${item.pk?.S ?? ''}\u0000${item.sk?.S ?? ''}`;

/** One table keyed by `pk` (S) and `sk` (S), as Slipway's app tables are. */
export class MemoryTable {
  private readonly items = new Map<string, Item>();

  constructor(public readonly name: string) {}

  /** Every item, sorted by key, as plain copies. */
  all(): Item[] {
    return [...this.items.values()].map((i) => structuredClone(i)).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  get(key: Item): Item | undefined {
    const item = this.items.get(keyOf(key));
    return item ? structuredClone(item) : undefined;
  }

  put(item: Item, condition?: string, ctx: ExprContext = {}): void {
    this.checkKey(item);
    const existing = this.items.get(keyOf(item));
    if (condition && !evaluateCondition(condition, existing, ctx)) throw new ConditionalCheckFailedException('The conditional request failed');
    this.items.set(keyOf(item), structuredClone(item));
  }

  update(key: Item, updateExpression: string, condition?: string, ctx: ExprContext = {}): Item {
    this.checkKey(key);
    const existing = this.items.get(keyOf(key));
    if (condition && !evaluateCondition(condition, existing, ctx)) throw new ConditionalCheckFailedException('The conditional request failed');
    const next = structuredClone(existing ?? { pk: key.pk, sk: key.sk });
    applyUpdate(updateExpression, next, ctx);
    this.items.set(keyOf(key), next);
    return structuredClone(next);
  }

  delete(key: Item, condition?: string, ctx: ExprContext = {}): void {
    const existing = this.items.get(keyOf(key));
    if (condition && !evaluateCondition(condition, existing, ctx)) throw new ConditionalCheckFailedException('The conditional request failed');
    this.items.delete(keyOf(key));
  }

  /** Query on `pk = :v` with an optional `begins_with(sk, :p)`; sorted by sk. */
  query(keyCondition: string, ctx: ExprContext, forward = true, limit?: number): Item[] {
    const matches = [...this.items.values()].filter((item) => evaluateCondition(keyCondition, item, ctx));
    matches.sort((a, b) => (a.sk?.S ?? '').localeCompare(b.sk?.S ?? ''));
    if (!forward) matches.reverse();
    return (limit ? matches.slice(0, limit) : matches).map((i) => structuredClone(i));
  }

  private checkKey(item: Item): void {
    if (item.pk?.S === undefined || item.sk?.S === undefined) throw new UnsupportedExpression(`table ${this.name} needs string keys pk and sk`);
  }
}

/** What the simulated DynamoDB asks of its account: the call counter and the tables by name. */
export type DynamoDbAccount = Pick<SimulatedAccount, 'count'> & { tableNamed(name: unknown): MemoryTable };

/**
 * The `arn:aws:states:::dynamodb:<action>` optimized integrations (updateItem, putItem, getItem,
 * deleteItem) on the table the state names; errors named `DynamoDB.<code>`.
 */
export function dynamoDbTask(w: DynamoDbAccount, action: string, p: Record<string, unknown>): unknown {
  let table: MemoryTable;
  try {
    table = w.tableNamed(p.TableName);
  } catch (e) {
    throw new SimulatedAwsError(`DynamoDB.${(e as Error).name}`, (e as Error).message);
  }
  const ctx = { names: p.ExpressionAttributeNames as Record<string, string> | undefined, values: p.ExpressionAttributeValues as unknown as Item | undefined };
  const cond = p.ConditionExpression as string | undefined;
  try {
    w.count(action.charAt(0).toUpperCase() + action.slice(1), table.name);
  } catch (e) {
    // Optimised integrations name a service's errors <Service>.<code> (e.g. DynamoDB.ConditionalCheckFailedException).
    throw new SimulatedAwsError(`DynamoDB.${(e as Error).name}`, (e as Error).message);
  }
  try {
    switch (action) {
      case 'updateItem':
        table.update(p.Key as unknown as Item, String(p.UpdateExpression), cond, ctx);
        return {};
      case 'putItem':
        table.put(p.Item as unknown as Item, cond, ctx);
        return {};
      case 'getItem':
        return { Item: table.get(p.Key as unknown as Item) };
      default:
        table.delete(p.Key as unknown as Item, cond, ctx);
        return {};
    }
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) throw new SimulatedAwsError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
    throw e;
  }
}

/** aws-sdk-client-mock handlers on `client` (the handlers' DynamoDB client) answering from the account's tables. */
export function mockDynamoDb(client: DynamoDBClient, w: DynamoDbAccount): { restore: () => void } {
  const ddbMock = mockClient(client);
  const ddbCall = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new SimulatedAwsError('ConditionalCheckFailedException', e.message);
      throw e;
    }
  };
  ddbMock.on(GetItemCommand).callsFake(async (input) => {
    w.count('GetItem', input.TableName);
    return { Item: w.tableNamed(input.TableName).get(input.Key as Item) };
  });
  ddbMock.on(PutItemCommand).callsFake(async (input) =>
    ddbCall(() => {
      w.count('PutItem', input.TableName);
      w.tableNamed(input.TableName).put(input.Item as Item, input.ConditionExpression, { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item });
      return {};
    }),
  );
  ddbMock.on(UpdateItemCommand).callsFake(async (input) =>
    ddbCall(() => {
      w.count('UpdateItem', input.TableName);
      return { Attributes: w.tableNamed(input.TableName).update(input.Key as Item, input.UpdateExpression ?? '', input.ConditionExpression, { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item }) };
    }),
  );
  ddbMock.on(DeleteItemCommand).callsFake(async (input) =>
    ddbCall(() => {
      w.count('DeleteItem', input.TableName);
      w.tableNamed(input.TableName).delete(input.Key as Item, input.ConditionExpression, { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item });
      return {};
    }),
  );
  ddbMock.on(QueryCommand).callsFake(async (input) => {
    w.count('Query', input.TableName);
    return { Items: w.tableNamed(input.TableName).query(input.KeyConditionExpression ?? '', { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item }, input.ScanIndexForward !== false, input.Limit) };
  });
  return ddbMock;
}
