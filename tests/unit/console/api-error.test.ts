import { ApiError, apiErrorOf, fieldErrorsOf } from '../../../console/src/lib/api-error';

describe("the console's reading of API errors", () => {
  it("keeps the API's typed error as it came", () => {
    const error = apiErrorOf(403, {
      type: 'Client.Forbidden',
      message: 'This needs the role admin',
      detail: { role: 'auditor' },
    });
    expect(error).toMatchObject({
      status: 403,
      type: 'Client.Forbidden',
      message: 'This needs the role admin',
      detail: { role: 'auditor' },
    });
  });

  it('names the status when the body is not a typed error', () => {
    expect(apiErrorOf(502, 'Bad Gateway')).toMatchObject({ type: 'HTTP 502', message: 'Bad Gateway' });
    expect(apiErrorOf(500, null)).toMatchObject({ type: 'HTTP 500', message: '' });
  });

  it('puts each schema violation beside the field its pointer names', () => {
    const error = new ApiError(400, 'Client.SchemaViolation', 'Data does not match', {
      errors: [
        { pointer: '/id', message: 'must match pattern' },
        { pointer: '/retryPolicy/maxAttempts', message: 'must be >= 1' },
        { pointer: '/id', message: 'must be shorter' },
        { pointer: '', message: 'must have one of clientId or groupId' },
        { pointer: '/a~1b', message: 'escaped' },
        { nonsense: true },
      ],
    });
    expect(fieldErrorsOf(error)).toEqual({
      id: 'must match pattern; must be shorter',
      retryPolicy: 'must be >= 1',
      '': 'must have one of clientId or groupId',
      'a/b': 'escaped',
    });
  });

  it('has no field errors for other errors', () => {
    expect(fieldErrorsOf(new ApiError(409, 'Client.Conflict', 'exists'))).toEqual({});
    expect(fieldErrorsOf(new Error('boom'))).toEqual({});
  });
});
