import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AWS_EVENTS } from '../helpers/fixtures';
import type { JsonObject } from '../../domain/json';
import { LocalRun, type ExecutionReport } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';

/** Repository root. */
export const ROOT = resolve(__dirname, '..', '..');
export { AWS_EVENTS } from '../helpers/fixtures';


/** The CodeBuild SUCCEEDED event of the example app (test/fixtures/events), with changes. */
export function buildEvent(changes: { build?: number; status?: string; project?: string } = {}): JsonObject {
  const event = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/events/codebuild-succeeded.json'), 'utf8')) as JsonObject;
  const detail = event.detail as JsonObject;
  const info = detail['additional-information'] as JsonObject;
  if (changes.build !== undefined) info['build-number'] = changes.build;
  if (changes.status) detail['build-status'] = changes.status;
  if (changes.project) detail['project-name'] = changes.project;
  return event;
}

/** A real AWS sample event from test/fixtures/aws-events. */
export function awsEvent(file: string): JsonObject {
  return JSON.parse(readFileSync(join(AWS_EVENTS, file), 'utf8')) as JsonObject;
}

/** The example world: web and worker already running build 41. */
export function exampleWorld(extra: WorldFile = {}): WorldFile {
  return { app: 'example', services: { web: { build: '41' }, worker: { build: '41' } }, ...extra };
}

/** Runs the build pipeline for an event and returns the run (for more runs) and its executions. */
export async function runBuild(world: WorldFile, event: JsonObject = buildEvent()): Promise<{ run: LocalRun; executions: ExecutionReport[] }> {
  const run = new LocalRun(world, ROOT);
  await run.run('build', event);
  return { run, executions: run.executions };
}

/** The execution of a pipeline in a run. */
export function execution(run: LocalRun, pipeline: 'build' | 'release' | 'deploy', nth = 0): ExecutionReport | undefined {
  return run.executions.filter((e) => e.stateMachine === pipeline)[nth];
}

/** The states an execution entered, in order (Map iterations prefixed with their process). */
export function path(e: ExecutionReport | undefined): string[] {
  return (e?.states ?? []).map((s) => (s.iteration ? `${s.iteration}: ${s.name}` : s.name));
}
