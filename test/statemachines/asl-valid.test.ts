import validator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { aslPath, taskStates, type AslStates } from '../../lib/asl';
import { STATE_MACHINES } from '../../domain/pipelines';
import { ROOT } from './scenarios';

describe.each(STATE_MACHINES)('statemachines/%s.asl.json', (name) => {
  const definition = JSON.parse(readFileSync(aslPath(ROOT, name), 'utf8')) as Record<string, unknown>;

  test('validates with asl-validator (ARNs and JSONPaths checked)', () => {
    const result = validator(definition, { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('every Task has a Retry', () => {
    const tasks = [...taskStates(definition.States as AslStates)];
    expect(tasks.filter(([, s]) => !Array.isArray(s.Retry) || (s.Retry as unknown[]).length === 0).map(([n]) => n)).toEqual([]);
  });
});

test('asl-validator rejects a Task without Next or End (the check can fail)', () => {
  const broken = { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' } } } };
  expect(validator(broken, { checkArn: true, checkPaths: true }).isValid).toBe(false);
});
