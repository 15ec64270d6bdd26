#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, DeploymentConfigError, loadDeploymentConfig, type DeploymentConfig } from '../lib/deployment-config';
import { addSlipwayStacks } from '../lib/stacks/slipway-stacks';

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
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

const app = new App();
const config = readConfig(app);
const stateMachinesDir = app.node.tryGetContext(STATE_MACHINES_CONTEXT_KEY) as string | undefined;

addSlipwayStacks(app, config, { stateMachinesDir });

// cdk-nag AwsSolutions over every stack: a finding fails synth; each acknowledgement carries its reason in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
