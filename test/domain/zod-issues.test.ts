import * as z from 'zod/mini';
import '../../domain/zod-english';
import { describeIssue, formatZodIssues, issuePath } from '../../domain/zod-issues';

const schema = z.strictObject({
  apps: z.array(z.strictObject({ name: z.string(), processes: z.record(z.string(), z.strictObject({ cpu: z.number() })) })),
});

function issuesOf(value: unknown, reportInput = false) {
  const parsed = schema.safeParse(value, { reportInput });
  if (parsed.success) throw new Error('expected the value to be refused');
  return parsed.error.issues;
}

describe('issuePath', () => {
  test('reads as the JSON it points into: indexes in brackets, keys dotted', () => {
    expect(issuePath(['apps', 0, 'processes', 'web', 'cpu'])).toBe('apps[0].processes.web.cpu');
    expect(issuePath([2, 'name'])).toBe('[2].name');
    expect(issuePath([])).toBe('');
  });
});

describe('formatZodIssues', () => {
  test('names each issue by its path, joined with "; "', () => {
    const text = formatZodIssues(issuesOf({ apps: [{ name: 7, processes: { web: { cpu: 'x' } } }] }));
    expect(text).toBe('apps[0].name: Invalid input: expected string, received number; apps[0].processes.web.cpu: Invalid input: expected number, received string');
  });

  test('names at most `max` issues', () => {
    expect(formatZodIssues(issuesOf({ apps: [{ name: 7, processes: { web: { cpu: 'x' } } }] }), { max: 1 })).toBe('apps[0].name: Invalid input: expected string, received number');
  });

  test('an issue about the whole value is named by `root`', () => {
    expect(formatZodIssues(issuesOf('no'))).toBe('(root): Invalid input: expected object, received string');
    expect(formatZodIssues(issuesOf('no'), { root: '(event)' })).toBe('(event): Invalid input: expected object, received string');
  });

  test('unknown keys: one per key with its path, or quoted in one list cut at 40 characters', () => {
    const issues = issuesOf({ apps: [{ name: 'a', processes: {}, extra: 1, ['k'.repeat(50)]: 2 }] });
    expect(formatZodIssues(issues)).toBe(`apps[0].extra: unknown key; apps[0].${'k'.repeat(50)}: unknown key`);
    expect(describeIssue(issues[0], { unknownKeys: 'list' })).toBe(`unknown field(s) "extra", "${'k'.repeat(40)}"`);
  });

  test('with reportInput, an absent field is named as missing; without it, by zod\'s message', () => {
    expect(formatZodIssues(issuesOf({ apps: [{ processes: {} }] }, true))).toBe('apps[0].name is missing');
    expect(formatZodIssues(issuesOf({ apps: [{ processes: {} }] }))).toBe('apps[0].name: Invalid input: expected string, received undefined');
  });
});
