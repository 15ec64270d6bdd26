#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, DeploymentConfigError, loadDeploymentConfig, type DeploymentConfig } from '../lib/deployment-config';
import { addSlipwayStacks } from '../lib/stacks/slipway-stacks';
import { escapeForTerminal } from '../lib/ops/terminal';
import { existsSync, statSync } from 'node:fs';

/**
 * The CDK app: one account stack, one stack per cluster, per database and per app ({@link addSlipwayStacks}),
 * built from the validated config named by the `slipway:config` context key. Stacks are environment-agnostic
 * (no `env`), so `cdk synth` works offline without credentials; `cdk deploy` uses the CLI's account and region.
 */

/** Another folder of state machine definitions (e.g. a test fixture): the repository's statemachines/ by default. */
const STATE_MACHINES_CONTEXT_KEY = 'slipway:statemachines';
const DEFAULT_CONFIG = 'config/example.json';

function readConfig(app: App): DeploymentConfig {
  const file = (app.node.tryGetContext(CONFIG_CONTEXT_KEY) as string | undefined) ?? DEFAULT_CONFIG;
  try {
    return loadDeploymentConfig(file);
  } catch (e) {
    if (e instanceof DeploymentConfigError) {
      // One line a person can act on, no stack trace.
      process.stderr.write(`${escapeForTerminal(e.message)}\n`);
      process.exit(1);
    }
    throw e;
  }
}

/** Ends synth with one escaped line on stderr (never a stack trace; SLIPWAY_DEBUG=1 shows it). */
function refuse(error: unknown, what: string): never {
  if (process.env.SLIPWAY_DEBUG === '1') throw error;
  const e = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`${escapeForTerminal(`${what}: ${e.name}: ${e.message}`.replace(/\s*\n\s*/g, ' '))}\n`);
  process.exit(1);
}

const app = new App();
const config = readConfig(app);
const stateMachinesDir = app.node.tryGetContext(STATE_MACHINES_CONTEXT_KEY) as string | undefined;
if (stateMachinesDir !== undefined && !(existsSync(stateMachinesDir) && statSync(stateMachinesDir).isDirectory())) {
  refuse(new DeploymentConfigError(`the "${STATE_MACHINES_CONTEXT_KEY}" context key names ${JSON.stringify(stateMachinesDir)}, which is not a folder: point it at a folder of <pipeline>.asl.json files, or remove it to use statemachines/`), 'cannot synthesize');
}

try {
  addSlipwayStacks(app, config, { stateMachinesDir });
} catch (e) {
  // A construct's own check (the config's validation should have named it first): one line all the same.
  refuse(e, 'cannot synthesize');
}

// cdk-nag AwsSolutions over every stack: a finding fails synth; each acknowledgement carries its reason in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
