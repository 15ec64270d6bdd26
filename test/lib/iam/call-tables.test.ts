import { PIPELINE_FUNCTIONS, type PipelineFunctionKey } from '../../../domain';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PERMISSIONS } from '../../../lib/ops/permissions';
import { sdkCallsInFile, sdkCallsOf } from '../../helpers/iam/sdk-calls';
import { handlerCalls } from './handler-calls';

/**
 * Each handler's table of AWS calls (functions/<handler>/aws-calls.ts) is its code's: every SDK command the
 * handler and the modules it imports send has a row, and every row without `impliedBy` is such a command.
 * The evaluator's tests (example-policies, adversarial-policies) evaluate the rows; this test keeps them
 * from drifting from the code.
 */
describe('the handlers\' tables of AWS calls', () => {
  const tables = handlerCalls();

  test.each(Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[])('%s: one row per SDK command its code sends', (key) => {
    const inCode = [...sdkCallsOf(`functions/${PIPELINE_FUNCTIONS[key]}/index.ts`).keys()].sort();
    const listed = [...new Set(tables[key].filter((c) => !c.impliedBy).map((c) => c.action))].sort();
    expect({ key, listed }).toEqual({ key, listed: inCode });
  });

  test('an implied call names the command and the AWS page that imply it; a row not sent says why', () => {
    for (const [key, calls] of Object.entries(tables)) {
      for (const c of calls) {
        if (c.impliedBy !== undefined) expect({ key, action: c.action, impliedBy: c.impliedBy }).toEqual({ key, action: c.action, impliedBy: expect.stringMatching(/\(.+\)/) });
        if (c.notSent !== undefined) expect({ key, action: c.action, notSent: c.notSent.length > 10 }).toEqual({ key, action: c.action, notSent: true });
      }
    }
  });

  test('the CLI: every SDK command lib/ops sends is an action lib/ops/permissions.ts lists', () => {
    // SDK operations whose IAM action has another name (Service Authorization Reference).
    const ACTION_OF: Record<string, string> = { 'lambda:Invoke': 'lambda:InvokeFunction' };
    const listed = new Set(CLI_PERMISSIONS.flatMap((c) => c.calls.map((call) => call.action)));
    const sent = readdirSync(join(__dirname, '..', '..', '..', 'lib', 'ops')).filter((f) => f.endsWith('.ts')).flatMap((f) => [...sdkCallsInFile(join(__dirname, '..', '..', '..', 'lib', 'ops', f))].map((c) => [f, ACTION_OF[c] ?? c]));
    expect(sent.length).toBeGreaterThan(20);
    expect(sent.filter(([, action]) => !listed.has(action))).toEqual([]);
  });

  test('the scanner finds commands and paginators of the SDK clients, and nothing else', () => {
    const calls = sdkCallsOf('functions/sync-schedules/index.ts');
    expect(calls.get('scheduler:ListSchedules')).toEqual(new Set(['functions/sync-schedules/index.ts']));
    expect(calls.get('ssm:GetParameter')).toEqual(new Set(['functions/sync-schedules/index.ts', 'functions/shared/settings-store.ts']));
    expect([...calls.keys()].every((c) => /^[a-z-]+:[A-Z][A-Za-z]+$/.test(c))).toBe(true);
  });
});
