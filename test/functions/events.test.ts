import * as z from 'zod/mini';
import { InvalidEvent } from '../../functions/shared/errors';
import { invalidEventResult, parseEvent } from '../../functions/shared/events';

const schema = z.object({ 'detail-type': z.literal('Build State Change'), detail: z.object({ id: z.string(), n: z.number() }) });

describe('parseEvent', () => {
  test('a matching event is its typed value', () => {
    const parsed = parseEvent(schema, { 'detail-type': 'Build State Change', detail: { id: 'b1', n: 2 } }, { expected: 'not a build event' });

    expect(parsed).toEqual({ ok: true, event: { 'detail-type': 'Build State Change', detail: { id: 'b1', n: 2 } } });
  });

  test('a malformed event is an InvalidEvent naming what was expected and each issue by its path, at most `max`', () => {
    const parsed = parseEvent(schema, { 'detail-type': 'Build State Change', detail: { id: 7, n: 'x' } }, { expected: 'not a build event', max: 1 });

    expect(parsed.ok).toBe(false);
    const error = (parsed as { error: InvalidEvent }).error;
    expect(error).toBeInstanceOf(InvalidEvent);
    expect(error.message).toMatch(/^not a build event: detail\.id: [^;]+$/);
  });

  test('with reportInput, a missing field is named as missing', () => {
    const parsed = parseEvent(schema, { 'detail-type': 'Build State Change', detail: { n: 1 } }, { expected: 'not a build event', reportInput: true });

    expect(parsed).toMatchObject({ ok: false, error: { name: 'InvalidEvent', message: 'not a build event: detail.id is missing' } });
  });
});

test('invalidEventResult is the data a Fail state reads: error and cause', () => {
  expect(invalidEventResult(new InvalidEvent('the input is not an event'))).toEqual({ ok: false, error: 'InvalidEvent', cause: 'the input is not an event' });
});
