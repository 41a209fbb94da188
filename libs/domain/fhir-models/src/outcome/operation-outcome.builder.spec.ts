import {
  badRequest,
  forbidden,
  notFound,
  notSupported,
  operationOutcome,
  searchErrorOutcome,
  serverError,
  unauthorized,
} from './operation-outcome.builder';

describe('operationOutcome', () => {
  it('builds one issue carrying the message as diagnostics and details text', () => {
    expect(operationOutcome('warning', 'value', 'Something odd')).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'warning', code: 'value', diagnostics: 'Something odd', details: { text: 'Something odd' } }],
    });
  });

  it('adds expressions only when given, accepting one or several', () => {
    expect(operationOutcome('error', 'invalid', 'x').issue[0]).not.toHaveProperty('expression');
    expect(operationOutcome('error', 'invalid', 'x', { expression: 'type' }).issue[0].expression).toEqual(['type']);
    expect(operationOutcome('error', 'invalid', 'x', { expression: ['a', 'b'] }).issue[0].expression).toEqual(['a', 'b']);
  });
});

describe('named outcomes', () => {
  it.each([
    ['badRequest', badRequest('Bad thing'), 400, 'invalid', 'Bad thing'],
    ['notSupported', notSupported('No XML'), 400, 'not-supported', 'No XML'],
    ['notFound', notFound('Patient', '123'), 404, 'not-found', 'Resource Patient/123 is not known'],
    ['forbidden', forbidden('Scope does not cover Coverage'), 403, 'forbidden', 'Scope does not cover Coverage'],
    ['unauthorized', unauthorized('Token revoked'), 401, 'login', 'Token revoked'],
    ['serverError', serverError(), 500, 'exception', 'An unexpected error occurred'],
  ])('%s pairs status %i with issue code', (_name, result, status, code, message) => {
    expect(result.status).toBe(status);
    expect(result.outcome.resourceType).toBe('OperationOutcome');
    expect(result.outcome.issue).toEqual([
      { severity: 'error', code, diagnostics: message, details: { text: message } },
    ]);
  });

  it('badRequest names the offending expression', () => {
    expect(badRequest('Bad _count', '_count').outcome.issue[0].expression).toEqual(['_count']);
  });
});

describe('searchErrorOutcome', () => {
  it('is a 400 keeping the parser issue code, diagnostics and parameter', () => {
    const result = searchErrorOutcome({ code: 'code-invalid', diagnostics: "'CARRIER' is not a valid value for type", parameter: 'type' });

    expect(result.status).toBe(400);
    expect(result.outcome.issue[0]).toEqual({
      severity: 'error',
      code: 'code-invalid',
      diagnostics: "'CARRIER' is not a valid value for type",
      details: { text: "'CARRIER' is not a valid value for type" },
      expression: ['type'],
    });
  });

  it('has no expression when the error is about the resource type', () => {
    const result = searchErrorOutcome({ code: 'not-supported', diagnostics: "Searching 'Foo' is not supported" });
    expect(result.outcome.issue[0]).not.toHaveProperty('expression');
  });
});
