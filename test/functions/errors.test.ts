import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ParameterNotFound } from '@aws-sdk/client-ssm';
import { InvalidInput, isAwsError, UnexpectedResponse } from '../../functions/shared/errors';

describe('isAwsError: the one way handlers recognise an AWS error', () => {
  test('matches the SDK\'s modelled exceptions by name', () => {
    const error = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    expect(isAwsError(error, 'ConditionalCheckFailedException')).toBe(true);
    expect(isAwsError(new ParameterNotFound({ message: '', $metadata: {} }), 'ConditionalCheckFailedException', 'ParameterNotFound')).toBe(true);
  });

  test('matches an error of the same name from anywhere (a simulated service, another copy of the SDK)', () => {
    const simulated = Object.assign(new Error('Schedule already exists'), { name: 'ConflictException' });
    expect(isAwsError(simulated, 'ConflictException')).toBe(true);
  });

  test('refuses other names, and things that are not errors', () => {
    expect(isAwsError(new Error('x'), 'ConflictException')).toBe(false);
    expect(isAwsError({ name: 'ConflictException' }, 'ConflictException')).toBe(false);
    expect(isAwsError(undefined, 'ConflictException')).toBe(false);
  });
});

test('input and unexpected AWS answers are two names (the ASL catches InvalidInput as the input\'s fault)', () => {
  expect([new InvalidInput('x').name, new UnexpectedResponse('x').name]).toEqual(['InvalidInput', 'UnexpectedResponse']);
});
