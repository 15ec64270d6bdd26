/** An error shaped like the AWS SDK's (a `name`), thrown by the simulated services. */
export class SimulatedAwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** An error the world file injected into a call (`errors`): the service answered with it. */
export class InjectedAwsError extends Error {
  constructor(
    name: string,
    message: string,
    /** The API operation that failed. */
    readonly call: string,
  ) {
    super(message);
    this.name = name;
  }
}
