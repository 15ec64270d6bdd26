import { InvalidIdentifier } from './errors';
import { identifierProblem, type IdentifierKind } from '../../domain/database';

/**
 * How the manager validates and quotes PostgreSQL identifiers. Which names it accepts is a fact the app
 * database construct shares: domain/database.ts (identifierProblem).
 */

/** A validated identifier (brand: only {@link validateIdentifier} makes one). */
export type Identifier = string & { readonly __identifier: unique symbol };

/** Shows a rejected value in a message without letting it break the message (NUL, newlines, length). */
function show(value: string): string {
  return JSON.stringify(value.length > 70 ? `${value.slice(0, 70)}…` : value);
}

/**
 * Validates a database or role name.
 * @throws InvalidIdentifier with the reason, e.g. `database name "a;b" is not allowed: ...`
 */
export function validateIdentifier(value: unknown, kind: IdentifierKind): Identifier {
  const problem = identifierProblem(value, kind);
  if (problem !== undefined) throw new InvalidIdentifier(problem);
  return value as Identifier;
}

/**
 * Quotes an identifier for SQL text (`"name"`). Also used for names the manager did not validate (the
 * admin user, `rds_iam`), so it doubles embedded quotes and refuses NUL, which PostgreSQL cannot store.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0 || name.includes('\u0000')) throw new InvalidIdentifier(`cannot quote ${show(name)} as an identifier`);
  return `"${name.replace(/"/g, '""')}"`;
}
