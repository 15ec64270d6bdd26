/**
 * The one way a zod validation failure is written for a person, used by the handlers (their named
 * errors' messages), the deployment config loader and the CLI alike: one `path: message` per issue,
 * joined with `; `. Paths read as the JSON they point into (`apps[0].processes.web.cpu`), and, where
 * the schema was parsed with `reportInput`, a field that is absent says so (`detail.build-id is missing`).
 * The messages themselves are zod's: English where ./zod-english.ts is imported.
 */

/** The part of a zod issue this formatting reads (zod/mini's `$ZodIssue`). */
export interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly input?: unknown;
}

/** How issues are written. */
export interface IssueFormat {
  /** How many issues to name; the others are left out. @default all */
  readonly max?: number;
  /** What an issue about the whole value is called. @default "(root)" */
  readonly root?: string;
  /**
   * How unknown keys are named: `each` as `path.key: unknown key`, one per key (a config file a person
   * wrote); `list` as `unknown field(s) "a", "b"`, each key quoted and cut at 40 characters (an event a
   * caller sent, whose keys may be anything). @default each
   */
  readonly unknownKeys?: 'each' | 'list';
}

/** `apps[0].processes.web.cpu`: a path as it reads in the JSON it points into. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/** One issue in words (an unknown-keys issue names each key). */
export function describeIssue(issue: ZodIssueLike, format: Omit<IssueFormat, 'max'> = {}): string {
  const path = issuePath(issue.path);
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    if (format.unknownKeys === 'list') return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`;
    return issue.keys.map((k) => `${path ? `${path}.` : ''}${k}: unknown key`).join('; ');
  }
  // Only a schema parsed with `reportInput` puts `input` on its issues: then an absent field is named as such.
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined && path) return `${path} is missing`;
  return `${path || (format.root ?? '(root)')}: ${issue.message}`;
}

/** The issues of a failed parse in one line: `a.b: message; c[0]: message`. */
export function formatZodIssues(issues: readonly ZodIssueLike[], format: IssueFormat = {}): string {
  return issues
    .slice(0, format.max ?? issues.length)
    .map((i) => describeIssue(i, format))
    .join('; ');
}
