/** The AWS calls in flight in this process (light: the start-up path imports it, not the SDK). */

/** One AWS call in flight. */
export interface CallInFlight {
  /** "Step Functions DescribeExecution". */
  readonly label: string;
  readonly startedAt: number;
}

/** The AWS calls in flight, so a progress line can say what the command waits for. */
export class CallsInFlight {
  private readonly calls = new Map<number, CallInFlight>();
  private next = 0;

  /** Records a call; returns the function that ends it. */
  public start(label: string, now: number = Date.now()): () => void {
    const id = this.next++;
    this.calls.set(id, { label, startedAt: now });
    return () => {
      this.calls.delete(id);
    };
  }

  /** The call waited for longest, if any. */
  public oldest(): CallInFlight | undefined {
    let found: CallInFlight | undefined;
    for (const call of this.calls.values()) if (!found || call.startedAt < found.startedAt) found = call;
    return found;
  }
}

/** The calls of this process's CLI clients. */
export const awsCalls = new CallsInFlight();

const SERVICE_NAMES: Record<string, string> = {
  SFNClient: 'Step Functions',
  DynamoDBClient: 'DynamoDB',
  STSClient: 'STS',
  LambdaClient: 'Lambda',
  SSMClient: 'SSM',
  CloudWatchClient: 'CloudWatch',
  CloudWatchLogsClient: 'CloudWatch Logs',
  ApplicationAutoScalingClient: 'Application Auto Scaling',
  ECSClient: 'ECS',
};

/** "Step Functions DescribeExecution" from the SDK's client and command names. */
export function callLabel(clientName: string | undefined, commandName: string | undefined): string {
  const service = SERVICE_NAMES[clientName ?? ''] ?? (clientName ?? 'AWS').replace(/Client$/, '');
  return `${service} ${(commandName ?? 'call').replace(/Command$/, '')}`;
}

