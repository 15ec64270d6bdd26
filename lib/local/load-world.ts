import { resolve } from 'node:path';
import type { AppSettings } from '../../domain/settings';
import { loadDeploymentConfig } from '../deployment-config';
import { serviceName } from '../../domain/names';
import { BUILD_PK, buildSortKey, DEPLOY_CLAIM, dynamoKey } from '../../domain/table';
import { localAppSettings } from './local-settings';
import { LocalRunError } from './run-error';
import { World } from './world';
import { parseWorld, type WorldFile, type WorldSpec } from './world-schema';
import { worldContradictions } from './world-checks';

/**
 * Loading a world file: its checks against the deploy config (lib/deployment-config.ts) it names, and the
 * simulated account set up as it describes (apps hosted, services running, builds registered).
 */

/** A world file checked against its deploy config. */
export interface LoadedWorld {
  readonly spec: WorldSpec;
  /** The deployment's prefix (config `prefix`). */
  readonly prefix: string;
  /** The shared control plane the run simulates: named after the cluster of the world's `app`. */
  readonly controlPlane: string;
  /** The settings of the world's `app`. */
  readonly settings: AppSettings;
  /** Every app the account hosts (the world's `app` among them), served by the one control plane. */
  readonly hosted: readonly AppSettings[];
}

/** Checks a world file and the deploy config it names: LocalRunError for anything a run cannot start with. */
export function loadWorld(world: WorldFile, rootDir: string): LoadedWorld {
  const spec = parseWorld(world);
  let config;
  try {
    // An absolute config path (the CLI resolves it against the working directory) stays as it is.
    config = loadDeploymentConfig(resolve(rootDir, spec.config));
  } catch (e) {
    throw new LocalRunError((e as Error).message);
  }
  const app = spec.app ? config.apps.find((a) => a.name === spec.app) : config.apps[0];
  if (!app) throw new LocalRunError(`world: app "${spec.app ?? '(first)'}" is not in ${spec.config} (apps: ${config.apps.map((a) => a.name).join(', ') || 'none'})`);
  // Every app the account hosts, served by the one control plane of the app's cluster.
  const hosted = (spec.apps ?? [app.name]).map((name) => {
    const a = config.apps.find((x) => x.name === name);
    if (!a) throw new LocalRunError(`world: apps: "${name}" is not in ${spec.config} (apps: ${config.apps.map((x) => x.name).join(', ')})`);
    if (a.cluster !== app.cluster) throw new LocalRunError(`world: apps: "${name}" runs in cluster "${a.cluster}", not "${app.cluster}": a local run simulates one control plane (one cluster)`);
    return localAppSettings(config, a, { account: spec.account, region: spec.region });
  });
  if (!hosted.some((s) => s.app === app.name)) throw new LocalRunError(`world: apps must include the world's app "${app.name}"`);
  const settings = hosted.find((s) => s.app === app.name) as AppSettings;
  for (const process of Object.keys(spec.services)) {
    if (!settings.processes[process]) throw new LocalRunError(`world: process "${process}" is not one of ${app.name}'s processes (${Object.keys(settings.processes).join(', ')})`);
  }
  for (const key of Object.keys(spec.deployments)) {
    const service = hosted.some((s) => Object.keys(s.processes).some((p) => serviceName(s.app, p) === key));
    if (!settings.processes[key] && !service) {
      throw new LocalRunError(`world: deployments: "${key}" is neither one of ${app.name}'s processes (${Object.keys(settings.processes).join(', ')}) nor a service <app>--<process> of a hosted app`);
    }
  }
  for (const name of Object.keys(spec.releases)) {
    if (!hosted.some((s) => s.app === name)) throw new LocalRunError(`world: releases: "${name}" is not an app the account hosts (${hosted.map((s) => s.app).join(', ')})`);
  }
  const containersOf = (name: string) => Object.keys(hosted.find((s) => s.app === name)?.processes ?? {});
  const contradictions = worldContradictions(spec, Object.keys(settings.processes), containersOf);
  if (contradictions.length > 0) throw new LocalRunError(`invalid world: ${contradictions.join('; ')}`);
  return { spec, prefix: config.prefix, controlPlane: app.cluster, settings, hosted };
}

/** The shared control plane's own table in the simulated account (CDK names the real one). */
export function controlTableName(prefix: string, controlPlane: string): string {
  return `${prefix}-${controlPlane}-control`;
}

/** The simulated account as the world file describes it before the run. */
export function buildWorld(loaded: LoadedWorld): World {
  const { spec, settings } = loaded;
  const world = new World(spec, settings, controlTableName(loaded.prefix, loaded.controlPlane));
  for (const other of loaded.hosted) if (other.app !== settings.app) world.addApp(other);
  for (const [process, s] of Object.entries(spec.services)) world.ecs.seedService(process, s.build);
  for (const build of spec.registeredBuilds) for (const process of Object.keys(settings.processes)) world.ecs.seedRevision(process, build);
  if (spec.newerBuild) seedNewerBuild(world, spec.newerBuild.build, spec.newerBuild.claimed);
  // A build whose revisions exist went through the build pipeline, which recorded it first.
  const builds = [...Object.values(spec.services).map((s) => s.build), ...spec.registeredBuilds, ...(spec.newerBuild ? [spec.newerBuild.build] : [])];
  for (const build of new Set(builds)) seedBuildRecord(world, build);
  try {
    world.autoscaling.seedScalableTargets(spec.scalableTargets);
  } catch (e) {
    throw new LocalRunError((e as Error).message);
  }
  return world;
}

/**
 * The record the build pipeline's "Record the build" state writes for a SUCCEEDED build (statemachines/build.asl.json),
 * unless the world's table already holds one.
 */
function seedBuildRecord(world: World, build: string): void {
  const key = { pk: { S: BUILD_PK }, sk: { S: buildSortKey(build) } };
  if (world.table.get(key)) return;
  const project = world.settings.codeBuildProject;
  world.table.put({
    ...key,
    status: { S: 'SUCCEEDED' },
    statusRank: { N: '1' },
    buildKey: { S: build },
    project: { S: project },
    image: { S: `${world.settings.imageRepositoryUri}:build-${build}` },
    commit: { S: '0000000000000000000000000000000000000000' },
  });
}

/** A newer build holds the app: its claim is recorded and every process runs its revision. */
function seedNewerBuild(world: World, build: string, claimed: boolean): void {
  const sortKey = buildSortKey(build);
  if (claimed) world.table.put({ ...dynamoKey(DEPLOY_CLAIM), buildSortKey: { S: sortKey }, buildKey: { S: build } });
  const app = world.settings.app;
  for (const process of Object.keys(world.settings.processes)) {
    const name = serviceName(app, process);
    if (world.services.has(name)) {
      const arn = world.ecs.seedRevision(process, build);
      const s = world.services.get(name);
      if (s) {
        s.service.taskDefinition = arn;
        s.service.deployments = [{ id: `ecs-svc/seed${build}${process}`, status: 'PRIMARY', taskDefinition: arn, rolloutState: 'COMPLETED', desiredCount: s.service.desiredCount, runningCount: s.service.desiredCount }];
      }
    } else {
      world.ecs.seedService(process, build);
    }
  }
}
