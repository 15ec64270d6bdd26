import validator from 'asl-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_MACHINES } from '../../lib/pipeline-contract';
import { ROOT } from './scenarios';

describe.each(STATE_MACHINES)('statemachines/%s.asl.json', (name) => {
  const definition = JSON.parse(readFileSync(join(ROOT, 'statemachines', `${name}.asl.json`), 'utf8')) as Record<string, unknown>;

  test('validates with asl-validator (ARNs and JSONPaths checked)', () => {
    const result = validator(definition, { checkArn: true, checkPaths: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test('every Task has a Retry', () => {
    const tasks: [string, Record<string, unknown>][] = [];
    const walk = (states: Record<string, Record<string, unknown>>) => {
      for (const [n, s] of Object.entries(states)) {
        if (s.Type === 'Task') tasks.push([n, s]);
        const nested = s.ItemProcessor as { States?: Record<string, Record<string, unknown>> } | undefined;
        if (nested?.States) walk(nested.States);
      }
    };
    walk(definition.States as Record<string, Record<string, unknown>>);
    expect(tasks.filter(([, s]) => !Array.isArray(s.Retry) || (s.Retry as unknown[]).length === 0).map(([n]) => n)).toEqual([]);
  });
});

test('asl-validator rejects a Task without Next or End (the check can fail)', () => {
  const broken = { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' } } } };
  expect(validator(broken, { checkArn: true, checkPaths: true }).isValid).toBe(false);
});
