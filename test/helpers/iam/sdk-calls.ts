import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The AWS SDK calls a module makes, read from its source and the sources it imports (relative imports,
 * followed): each `new <Name>Command(` and `paginate<Name>(` of a name imported from an `@aws-sdk/client-*`
 * package, as the IAM action it needs (`<service prefix>:<Name>`). The handlers' and the CLI's tables of
 * AWS calls are checked against it, so a call added to the code without its row fails a test.
 */

/** The IAM service prefix of each AWS SDK v3 client package the code uses (Service Authorization Reference). */
export const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-codebuild': 'codebuild',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-rds-data': 'rds-data',
  '@aws-sdk/client-scheduler': 'scheduler',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
};

const ROOT = join(__dirname, '..', '..', '..');

function sourceFile(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  return undefined;
}

/** The calls one file makes (not following imports). */
export function sdkCallsInFile(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const packageOf = new Map<string, string>();
  for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z-]+)'/g)) {
    for (const name of m[1].split(',').map((s) => s.trim().split(/\s+as\s+/).pop()!).filter(Boolean)) packageOf.set(name, m[2]);
  }
  const calls = new Set<string>();
  const add = (imported: string, operation: string) => {
    const pkg = packageOf.get(imported);
    if (!pkg) return;
    const prefix = SERVICE_PREFIX[pkg];
    if (!prefix) throw new Error(`${file}: ${pkg} has no IAM service prefix in SERVICE_PREFIX`);
    calls.add(`${prefix}:${operation}`);
  };
  for (const m of text.matchAll(/new\s+(([A-Z]\w*)Command)\s*\(/g)) add(m[1], m[2]);
  for (const m of text.matchAll(/\b(paginate([A-Z]\w*))\s*\(/g)) add(m[1], m[2]);
  return calls;
}

/** The relative `.ts` imports of a file (type-only imports included: they cost nothing and make no call). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s*'(\.{1,2}\/[^']+)'/g)) {
    const f = sourceFile(file, m[1]);
    if (f) out.push(f);
  }
  return out;
}

/**
 * The calls `entry` (a path from the repository's root) and every module it imports make, by the file
 * that makes each. Modules under `exclude` (paths from the root) are not followed.
 */
export function sdkCallsOf(entry: string, exclude: readonly string[] = []): Map<string, Set<string>> {
  const seen = new Set<string>();
  const byCall = new Map<string, Set<string>>();
  const visit = (file: string) => {
    if (seen.has(file) || exclude.some((e) => file.startsWith(join(ROOT, e)))) return;
    seen.add(file);
    for (const call of sdkCallsInFile(file)) {
      const files = byCall.get(call) ?? new Set<string>();
      files.add(file.slice(ROOT.length + 1));
      byCall.set(call, files);
    }
    for (const f of importsOf(file)) visit(f);
  };
  visit(join(ROOT, entry));
  return byCall;
}
