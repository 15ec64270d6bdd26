import * as lambdaSdk from '@aws-sdk/client-lambda';
import { controlPlaneFunctionName, lambdaLogGroupName } from '../../../../domain/names';
import { PIPELINE_FUNCTIONS, type PipelineFunctionKey } from '../../../../domain/pipelines';
import { WireError } from '../errors';
import { sdkOperations, type RequestContext, type ServiceModel } from '../model';
import type { RestRoute } from '../protocols/rest-json';

/** Lambda's routes (restJson1, API version 2015-03-31) the endpoint answers. */
export const LAMBDA_ROUTES: readonly RestRoute[] = [
  { method: 'GET', path: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'GetFunctionConfiguration' },
  { method: 'GET', path: '/2015-03-31/functions/{FunctionName}', operation: 'GetFunction' },
  { method: 'POST', path: '/2015-03-31/functions/{FunctionName}/invocations', operation: 'Invoke' },
  { method: 'GET', path: '/2015-03-31/functions', operation: 'ListFunctions' },
];

/** The control plane's functions by name, with their ARNs. */
function functions({ account }: RequestContext): Map<string, string> {
  const { region, account: id } = account.run.world.spec;
  const out = new Map<string, string>();
  for (const key of Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]) {
    const name = controlPlaneFunctionName(account.run.prefix, account.run.controlPlane, key);
    out.set(name, `arn:aws:lambda:${region}:${id}:function:${name}`);
  }
  return out;
}

/** A function by name or ARN: ResourceNotFoundException "Function not found: <arn>" otherwise (Lambda API reference). */
function configuration(ctx: RequestContext, ref: string): Record<string, unknown> {
  const fns = functions(ctx);
  const name = ref.includes(':function:') ? ref.slice(ref.indexOf(':function:') + 10).split(':')[0] : ref;
  const arn = fns.get(name);
  if (!arn) {
    const { region, account: id } = ctx.account.run.world.spec;
    throw new WireError('ResourceNotFoundException', `Function not found: ${ref.startsWith('arn:') ? ref : `arn:aws:lambda:${region}:${id}:function:${ref}`}`);
  }
  return { FunctionName: name, FunctionArn: arn, Runtime: 'nodejs22.x', Handler: 'index.handler', Architectures: ['arm64'], State: 'Active', LoggingConfig: { LogFormat: 'JSON', LogGroup: lambdaLogGroupName(name) } };
}

/**
 * Lambda (restJson1): the control plane's functions, as configuration. Invoking them from outside is not
 * simulated (the pipelines invoke them); a function the account does not have is ResourceNotFoundException.
 */
export const lambdaService: ServiceModel = {
  title: 'Lambda',
  signingName: 'lambda',
  protocol: 'restJson1',
  cors: true,
  awsOperations: () => sdkOperations(lambdaSdk as unknown as Record<string, unknown>),
  operations: {
    GetFunctionConfiguration: { required: ['FunctionName'], run: (input, ctx) => configuration(ctx, String(input.FunctionName)) },
    GetFunction: { required: ['FunctionName'], run: (input, ctx) => ({ Configuration: configuration(ctx, String(input.FunctionName)) }) },
    ListFunctions: { run: (_input, ctx) => ({ Functions: [...functions(ctx).keys()].map((name) => configuration(ctx, name)) }) },
    Invoke: {
      required: ['FunctionName'],
      run: (input, ctx) => {
        configuration(ctx, String(input.FunctionName));
        throw new WireError('NotImplemented', 'slipway local serve does not invoke the control plane\'s functions from outside: the pipelines invoke them', 501);
      },
    },
  },
};
