import * as sfnSdk from '@aws-sdk/client-sfn';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { STATE_MACHINES } from '../../../../domain/pipelines';
import { sfn } from '../../../../functions/shared/clients';
import { MAX_PAYLOAD_BYTES } from '../../engine';
import { executionNameProblem } from '../../services/stepfunctions';
import { WireError } from '../errors';
import { sdkOperations, type ServiceModel } from '../model';
import { forwardTo } from './forward';

const ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(stateMachine|execution):/;

/**
 * Step Functions (awsJson1_0, `AWSStepFunctions.<Operation>`): the control plane's state machines and
 * their executions. StartExecution and RedriveExecution start work on the account's clock; the reads
 * are answered by the simulated Step Functions behind the handlers' client (lib/local/services/stepfunctions.ts).
 * Error codes and messages as the API reference and the recorded errors name them (ExecutionDoesNotExist,
 * ExecutionAlreadyExists, ExecutionNotRedrivable, InvalidArn, InvalidName, InvalidExecutionInput,
 * StateMachineDoesNotExist).
 */
export const stepFunctionsService: ServiceModel = {
  title: 'Step Functions',
  signingName: 'states',
  protocol: 'awsJson1_0',
  targetPrefix: 'AWSStepFunctions',
  errorNamespace: 'com.amazonaws.swf.service.model',
  // Not among the services that allow CORS (AWS SDK for JavaScript, SERVICES.md): a page cannot call it.
  cors: false,
  awsOperations: () => sdkOperations(sfnSdk as unknown as Record<string, unknown>),
  operations: {
    StartExecution: {
      required: ['stateMachineArn'],
      members: { stateMachineArn: 'string', name: 'string', input: 'string', traceHeader: 'string' },
      run: (input, { account }) => {
        const run = account.run;
        const arn = String(input.stateMachineArn);
        if (!ARN.test(arn)) throw new WireError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
        const sm = run.stateMachineOf(arn);
        if (!sm) throw new WireError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
        const name = input.name === undefined ? undefined : String(input.name);
        const bad = name === undefined ? undefined : executionNameProblem(name);
        if (bad) throw new WireError('InvalidName', `Invalid Name: '${name}' (${bad})`);
        const text = input.input === undefined ? '{}' : String(input.input);
        if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) throw new WireError('ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          throw new WireError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(e as Error).message}'`);
        }
        run.world.count('StartExecution');
        // A name stays taken (90 days on AWS): the same name and input while it runs is the same start; anything else is refused.
        const check = name === undefined ? { verdict: 'start' as const } : run.stepFunctionsApi.startCheck(sm, name, parsed);
        if (check.verdict === 'same') return { executionArn: check.existing.arn, startDate: run.world.clock.dateAt(check.existing.startedAt) };
        if (check.verdict === 'taken') throw new WireError('ExecutionAlreadyExists', `Execution Already Exists: '${check.existing.arn}'`);
        const exec = run.startConcurrently(sm, parsed, name);
        return { executionArn: exec.arn, startDate: run.world.clock.dateAt(exec.startedAt) };
      },
    },
    RedriveExecution: {
      required: ['executionArn'],
      members: { executionArn: 'string', clientToken: 'string' },
      run: (input, { account }) => {
        const arn = String(input.executionArn);
        if (!ARN.test(arn)) throw new WireError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
        const exec = account.run.executions.find((e) => e.arn === arn);
        if (!exec) throw new WireError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
        account.run.startRedrive(exec);
        return { redriveDate: account.run.world.clock.dateAt(exec.redriveDate ?? account.run.world.now) };
      },
    },
    DescribeExecution: forwardTo(sfn, DescribeExecutionCommand, { required: ['executionArn'], members: { executionArn: 'string' } }),
    GetExecutionHistory: forwardTo(sfn, GetExecutionHistoryCommand, { required: ['executionArn'], members: { executionArn: 'string', maxResults: 'number', reverseOrder: 'boolean', nextToken: 'string', includeExecutionData: 'boolean' } }),
    ListExecutions: forwardTo(sfn, ListExecutionsCommand, { members: { stateMachineArn: 'string', statusFilter: 'string', maxResults: 'number', nextToken: 'string' } }),
    SendTaskSuccess: forwardTo(sfn, SendTaskSuccessCommand, { required: ['taskToken', 'output'], members: { taskToken: 'string', output: 'string' } }),
    SendTaskFailure: forwardTo(sfn, SendTaskFailureCommand, { required: ['taskToken'], members: { taskToken: 'string', error: 'string', cause: 'string' } }),
    ListStateMachines: {
      members: { maxResults: 'number', nextToken: 'string' },
      run: (_input, { account }) => ({
        stateMachines: STATE_MACHINES.map((sm) => {
          const arn = account.run.stateMachineArn(sm);
          return { stateMachineArn: arn, name: arn.slice(arn.lastIndexOf(':') + 1), type: 'STANDARD', creationDate: new Date(account.run.world.startMs) };
        }),
      }),
    },
  },
};
