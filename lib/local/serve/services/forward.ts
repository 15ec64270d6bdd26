import type { Operation } from '../model';

/** A client whose `send` the simulated account answers (the handlers' clients, held by aws-sdk-client-mock). */
export interface SimulatedClient {
  send(command: unknown): Promise<unknown>;
}

/**
 * An operation answered by the simulated service behind one of the handlers' clients
 * (functions/shared/clients.ts): the same code answers the pipelines' calls and the endpoint's.
 */
export function forwardTo(client: SimulatedClient, Command: new (input: never) => unknown, declared: Omit<Operation, 'run'> = {}): Operation {
  return { ...declared, run: (input) => client.send(new Command(input as never)) };
}
