import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { readFileSync } from 'node:fs';
import { aslPath, forEachState, taskStates, type AslStates } from '../asl';
import { aslPlaceholders, SUBSTITUTIONS, type StateMachineName } from '../../domain/pipelines';
import { refuseUnredrivable, refuseUnsupported, UnsupportedConstruct } from './asl-support';
import { stateIndex } from './history';
import { LocalRunError } from './run-error';
import { takeTaskTimeouts, type TaskTimeouts } from './task-timeouts';

/** Resource the runner gives a `Wait` state so that it runs on the simulated clock. */
export const SIMULATED_WAIT = 'arn:aws:states:::slipway-local:wait';

/**
 * The state machines' definitions as a local run executes them: the ASL file with its `${Placeholder}`s
 * substituted (domain/pipelines.ts), the states as written kept for the history, and the few
 * changes aws-local-stepfunctions needs to run on the simulated clock.
 */
export class LocalDefinitions {
  private readonly definitions = new Map<StateMachineName, StateMachineDefinition>();
  /** Each state machine's states as written (before the runner's Wait stand-ins), for the history. */
  readonly stateInfo = new Map<StateMachineName, ReturnType<typeof stateIndex>>();
  /** Wait states (by name) that run on the simulated clock, and their seconds (-1: SecondsPath). */
  readonly waitSeconds = new Map<string, number>();
  /** Each Task state's timeouts, taken out of the definition the engine runs (task-timeouts.ts). */
  readonly taskTimeouts = new Map<string, TaskTimeouts>();

  constructor(
    /** Repository root (statemachines/). */
    private readonly rootDir: string,
    /** Each substitution's value: the cluster's ARN, the functions' and state machines' ARNs. */
    private readonly clusterArn: string,
    private readonly arns: Readonly<Record<string, string>>,
    /** ASL files run instead of `statemachines/<name>.asl.json`. */
    private readonly aslFiles?: Partial<Record<StateMachineName, string>>,
  ) {
    // A file run in place of a pipeline's is checked now, before any execution starts: a construct the
    // engine does not run as AWS does is refused here (UnsupportedConstruct), not in the middle of a run.
    for (const name of Object.keys(aslFiles ?? {}) as StateMachineName[]) this.load(name);
  }

  /** The state machine's definition as the runner runs it (read and prepared once). */
  load(name: StateMachineName): StateMachineDefinition {
    const cached = this.definitions.get(name);
    if (cached) return cached;
    let text = readFileSync(this.aslFiles?.[name] ?? aslPath(this.rootDir, name), 'utf8');
    for (const [placeholder, sub] of Object.entries(SUBSTITUTIONS[name])) {
      let value: string;
      switch (sub.kind) {
        case 'clusterArn':
          value = this.clusterArn;
          break;
        case 'function':
          value = this.arns[sub.fn];
          break;
        case 'stateMachine':
          value = this.arns[sub.name];
          break;
        case 'executionArnPrefix':
          value = `${this.arns[sub.name].replace(':stateMachine:', ':execution:')}:`;
          break;
        case 'constant':
          value = sub.value;
          break;
      }
      text = text.split(`\${${placeholder}}`).join(value);
    }
    const [left] = aslPlaceholders(text);
    if (left) throw new LocalRunError(`statemachines/${name}.asl.json uses \${${left}}, which domain/pipelines.ts does not define`);
    const def = JSON.parse(text) as StateMachineDefinition;
    // What the engine cannot run as AWS does is refused before anything runs (lib/local/asl-support.ts).
    try {
      refuseUnsupported(def as unknown as { States: unknown });
      // Every execution of the runner may be redriven: what it cannot redrive as AWS does is refused now.
      refuseUnredrivable(def as unknown as { States: unknown });
    } catch (e) {
      if (e instanceof UnsupportedConstruct) throw new UnsupportedConstruct(e.construct, e.state, `statemachines/${name}.asl.json: ${e.message}`);
      throw e;
    }
    this.stateInfo.set(name, stateIndex((JSON.parse(text) as StateMachineDefinition).States as unknown as AslStates));
    // Every Task's TimeoutSeconds(Path) and HeartbeatSeconds are enforced by the runner on the simulated
    // clock (lib/local/task-timeouts.ts); the engine would run them on real timers, so it never sees them.
    for (const [stateName, state] of taskStates(def.States as unknown as AslStates)) {
      this.taskTimeouts.set(stateName, takeTaskTimeouts(name, stateName, state as unknown as Record<string, unknown>));
    }
    // A Wait with fixed Seconds runs on the simulated clock (aws-local-stepfunctions would sleep for real):
    // the runner turns it into a local Task that advances the clock, still reported as a Wait.
    forEachState(def.States as unknown as AslStates, (stateName, state) => {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
        this.waitSeconds.set(stateName, state.Seconds);
        delete state.Seconds;
        Object.assign(state, { Type: 'Task', Resource: SIMULATED_WAIT });
      } else if (state.Type === 'Wait' && typeof state.SecondsPath === 'string') {
        // SecondsPath (config-change's debounce): the seconds come in as the Task's parameters.
        this.waitSeconds.set(stateName, -1);
        Object.assign(state, { Type: 'Task', Resource: SIMULATED_WAIT, Parameters: { 'seconds.$': state.SecondsPath }, ResultPath: null });
        delete state.SecondsPath;
      } else if (state.Type === 'Wait') {
        throw new LocalRunError(`statemachines/${name}.asl.json: Wait state "${stateName}": the local runner simulates Seconds and SecondsPath only`);
      }
    });
    this.definitions.set(name, def);
    return def;
  }
}
