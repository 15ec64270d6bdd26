import type { HandlerAwsCall } from '../../../functions/shared/aws-calls';
import { PIPELINE_FUNCTIONS, type PipelineFunctionKey } from '../../../domain';

/** Each control-plane handler's table of AWS calls (functions/<handler>/aws-calls.ts), by contract key. */
export function handlerCalls(): Record<PipelineFunctionKey, readonly HandlerAwsCall[]> {
  return Object.fromEntries(
    (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((key) => [key, (require(`../../../functions/${PIPELINE_FUNCTIONS[key]}/aws-calls`) as { AWS_CALLS: readonly HandlerAwsCall[] }).AWS_CALLS]),
  ) as Record<PipelineFunctionKey, readonly HandlerAwsCall[]>;
}
