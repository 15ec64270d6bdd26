// zod/mini: the same validation as `zod`, tree-shaken (the full `zod` adds ~450 KB to the bundle).
import * as z from 'zod/mini';
import { describeIssue } from '../../domain/zod-issues';
// For its side effect: English messages for the requests' issues.
import '../../domain/zod-english';
import { InvalidRequest, UnknownAction } from './errors';
import { validateIdentifier, type Identifier } from './identifiers';
import type { SqlValue } from './sql';

/** Most rows `runSql` returns; more are counted but not returned. */
export const MAX_ROWS = 100;
/** Longest SQL text `runSql` accepts (characters). */
export const MAX_SQL_LENGTH = 100_000;

const sqlValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const schemas = {
  createDatabase: z.strictObject({
    action: z.literal('createDatabase'),
    database: z.string(),
    owner: z.optional(z.string()),
    iamAuth: z._default(z.boolean(), true),
  }),
  dropDatabase: z.strictObject({
    action: z.literal('dropDatabase'),
    database: z.string(),
    dropOwner: z._default(z.boolean(), false),
    owner: z.optional(z.string()),
  }),
  enableIamAuth: z.strictObject({ action: z.literal('enableIamAuth'), user: z.optional(z.string()) }),
  runSql: z.strictObject({
    action: z.literal('runSql'),
    database: z.string(),
    sql: z.string().check(
      z.minLength(1),
      z.maxLength(MAX_SQL_LENGTH),
      z.refine((s) => !s.includes('\u0000'), 'must not contain NUL characters'),
    ),
    parameters: z._default(z.array(sqlValue).check(z.maxLength(100)), []),
  }),
} as const;

/** The actions the manager knows. */
export const ACTIONS = Object.keys(schemas) as (keyof typeof schemas)[];
/** One of {@link ACTIONS}. */
export type Action = keyof typeof schemas;

/** A validated request: identifiers checked, defaults applied. */
export type Request =
  | { action: 'createDatabase'; database: Identifier; owner: Identifier; iamAuth: boolean }
  | { action: 'dropDatabase'; database: Identifier; dropOwner: boolean; owner?: Identifier }
  | { action: 'enableIamAuth'; user?: Identifier }
  | { action: 'runSql'; database: Identifier; sql: string; parameters: SqlValue[] };

function formatIssues(action: string, error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${action}: ${describeIssue(issue, { root: '(event)', unknownKeys: 'list' })}`).join('; ');
}

/**
 * Parses an event into a {@link Request}.
 * @throws UnknownAction when `action` is missing or unknown; InvalidRequest for a malformed field;
 *   InvalidIdentifier for an unsafe database, owner or user name.
 */
export function parseRequest(event: unknown): Request {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidRequest(`the event must be a JSON object like {"action": "createDatabase", "database": "my_app"}`);
  }
  const action = (event as { action?: unknown }).action;
  if (typeof action !== 'string' || !Object.prototype.hasOwnProperty.call(schemas, action)) {
    const shown = typeof action === 'string' ? JSON.stringify(action.slice(0, 40)) : 'missing';
    throw new UnknownAction(`action ${shown} is not known; use one of ${ACTIONS.join(', ')}`);
  }
  const parsed = schemas[action as Action].safeParse(event);
  if (!parsed.success) throw new InvalidRequest(formatIssues(action, parsed.error));
  const data = parsed.data;
  switch (data.action) {
    case 'createDatabase': {
      const database = validateIdentifier(data.database, 'database');
      return { action: data.action, database, owner: data.owner === undefined ? (database as Identifier) : validateIdentifier(data.owner, 'owner'), iamAuth: data.iamAuth };
    }
    case 'dropDatabase':
      return {
        action: data.action,
        database: validateIdentifier(data.database, 'database'),
        dropOwner: data.dropOwner,
        ...(data.owner !== undefined ? { owner: validateIdentifier(data.owner, 'owner') } : {}),
      };
    case 'enableIamAuth':
      return { action: data.action, ...(data.user !== undefined ? { user: validateIdentifier(data.user, 'user') } : {}) };
    case 'runSql':
      return { action: data.action, database: validateIdentifier(data.database, 'database'), sql: data.sql, parameters: data.parameters };
  }
}
