import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The example app's CodeBuild SUCCEEDED event (test/fixtures/events/codebuild-succeeded.json). */
export function buildEvent(rootDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(rootDir, 'test/fixtures/events/codebuild-succeeded.json'), 'utf8')) as Record<string, unknown>;
}
