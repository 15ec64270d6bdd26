/** An error shaped like the AWS SDK's (a `name`), thrown by the simulated services. */
export class SimulatedAwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
