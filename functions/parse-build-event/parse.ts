import * as z from 'zod/mini';
import type { AppSettings } from '../../domain/settings';
// For its side effect: English messages for the issues an InvalidEvent's cause names.
import '../../domain/zod-english';
import { InvalidEvent } from '../shared/errors';
import { invalidEventResult, parseEvent, type InvalidEventResult } from '../shared/events';
import { buildKeysOf } from '../../domain/table';

/** Build statuses CodeBuild reports in "Build State Change" events. */
export const BUILD_STATUSES = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'STOPPED', 'FAULT', 'TIMED_OUT'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** A build as the pipelines record it. */
export interface BuildRecord {
  readonly project: string;
  readonly buildId: string;
  /** CodeBuild's build number; absent in events older than 2019. */
  readonly buildNumber?: number;
  /** Key of the build in the app's table and in execution names: the number, else the build id's uuid. */
  readonly buildKey: string;
  /** Sort key in the app's table: the number zero-padded to 10 digits (sorts in build order), else the key. */
  readonly sortKey: string;
  readonly status: BuildStatus;
  readonly terminal: boolean;
  /** 0 for IN_PROGRESS, 1 for a final status: a late IN_PROGRESS never overwrites a final record. */
  readonly statusRank: number;
  readonly commit: string;
  readonly imageTag: string;
  readonly image: string;
  readonly logLink: string;
  readonly eventTime: string;
}

/** What the build state machine does with an event. */
export type ParsedBuildEvent =
  | {
      readonly ok: true;
      readonly action: 'deploy' | 'record';
      /** The app the build is for (its project is `<prefix>-<app>`). */
      readonly app: string;
      /** The app's table (from its settings): the state machine records the build there. */
      readonly table: string;
      readonly build: BuildRecord;
      readonly reason: string;
    }
  | { readonly ok: true; readonly action: 'ignore'; readonly reason: string }
  | InvalidEventResult;

const nameValue = z.looseObject({ name: z.string(), value: z.string() });

export const stateChangeSchema = z.object({
  'detail-type': z.literal('CodeBuild Build State Change'),
  source: z.literal('aws.codebuild'),
  time: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  detail: z.object({
    'build-status': z.enum(BUILD_STATUSES),
    'project-name': z.string().check(z.minLength(1)),
    'build-id': z.string().check(z.regex(/^arn:aws[a-z-]*:codebuild:[^:]+:\d{12}:build\/[^:]+:.+$/, 'must be a CodeBuild build ARN')),
    'additional-information': z.looseObject({
      'build-number': z.optional(z.int().check(z.positive())),
      'resolved-source-version': z.optional(z.string()),
      'source-version': z.optional(z.string()),
      /**
       * The variables the buildspec exports (CodeBuild's `exported-variables`); IMAGE_TAG names the pushed image's tag.
       * @default none exported: the image tag is `build-<build-number>`
       */
      'exported-environment-variables': z.optional(z.array(nameValue)),
      logs: z.optional(z.looseObject({ 'deep-link': z.optional(z.string()), 'group-name': z.optional(z.string()), 'stream-name': z.optional(z.string()) })),
    }),
  }),
});

/**
 * Decides what to do with an EventBridge event: deploy a successful build of this app's project, record
 * any other status of it, ignore other projects and other event kinds, or reject a malformed event.
 */
export function parseBuildEvent(event: unknown, settings: Pick<AppSettings, 'app' | 'table' | 'codeBuildProject' | 'imageRepositoryUri'>): ParsedBuildEvent {
  const read = readStateChange(event);
  if ('result' in read) return read.result;
  const d = read.change.detail;
  const info = d['additional-information'];
  const project = d['project-name'];
  if (project !== settings.codeBuildProject) {
    return { ok: true, action: 'ignore', reason: `build of project "${project}", not this app's project "${settings.codeBuildProject}"` };
  }
  const exported = new Map((info['exported-environment-variables'] ?? []).map((v) => [v.name, v.value]));
  const buildNumber = info['build-number'];
  const buildId = d['build-id'];
  const keys = buildKeysOf(buildNumber, buildId);
  const status = d['build-status'];
  const tag = exported.get('IMAGE_TAG') ?? (buildNumber !== undefined ? `build-${buildNumber}` : undefined);
  if (status === 'SUCCEEDED' && tag === undefined) {
    return invalidEventResult(
      new InvalidEvent(`SUCCEEDED build ${buildId} has neither detail.additional-information.build-number nor an exported IMAGE_TAG variable, so the image to deploy is unknown`),
    );
  }
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    return invalidEventResult(new InvalidEvent(`image tag "${tag.slice(0, 140)}" is not a valid Docker tag`));
  }
  const logs = info.logs;
  const build: BuildRecord = {
    project,
    buildId,
    buildNumber,
    buildKey: keys.buildKey,
    sortKey: keys.sortKey,
    status,
    terminal: status !== 'IN_PROGRESS',
    statusRank: status === 'IN_PROGRESS' ? 0 : 1,
    commit: exported.get('COMMIT') ?? info['resolved-source-version'] ?? info['source-version'] ?? 'unknown',
    imageTag: tag ?? 'none',
    image: tag !== undefined ? `${settings.imageRepositoryUri}:${tag}` : 'none',
    logLink: logs?.['deep-link'] ?? 'none',
    eventTime: read.change.time,
  };
  const app = { app: settings.app, table: settings.table };
  if (status === 'SUCCEEDED') return { ok: true, action: 'deploy', ...app, build, reason: `build ${build.buildKey} succeeded: deploying ${build.image}` };
  return { ok: true, action: 'record', ...app, build, reason: status === 'IN_PROGRESS' ? `build ${build.buildKey} is in progress` : `build ${build.buildKey} ended ${status}: nothing to deploy` };
}

/**
 * The first look at an event, before the app's settings are read: the CodeBuild project it names, or
 * what to do without one (ignore another CodeBuild event kind, refuse a malformed event).
 */
export function projectOf(event: unknown): { readonly project: string } | { readonly result: ParsedBuildEvent } {
  const read = readStateChange(event);
  return 'result' in read ? read : { project: read.change.detail['project-name'] };
}

/** The event as a "Build State Change", or what to do without one: ignore another CodeBuild event kind, refuse a malformed event. */
function readStateChange(event: unknown): { readonly change: z.infer<typeof stateChangeSchema> } | { readonly result: ParsedBuildEvent } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return { result: invalidEventResult(new InvalidEvent('the input is not an EventBridge event (expected a JSON object with source, detail-type and detail)')) };
  }
  const e = event as Record<string, unknown>;
  if (e.source === 'aws.codebuild' && typeof e['detail-type'] === 'string' && e['detail-type'] !== 'CodeBuild Build State Change') {
    return { result: { ok: true, action: 'ignore', reason: `"${e['detail-type']}" events carry no build status; only "CodeBuild Build State Change" is acted on` } };
  }
  const parsed = parseEvent(stateChangeSchema, event, { expected: 'not a usable CodeBuild "Build State Change" event', max: 4, reportInput: true });
  return parsed.ok ? { change: parsed.event } : { result: invalidEventResult(parsed.error) };
}
