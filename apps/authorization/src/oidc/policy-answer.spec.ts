import { policyAnswer } from './oidc-provider.factory';

describe('policyAnswer (the scope policy asked once per client list and question)', () => {
  it('answers a repeated question from what it kept, and asks afresh for another list or question', () => {
    const allowed = ['openid', 'patient/*.read'];
    const answer = jest.fn(() => 'patient/*.read');
    expect(policyAnswer(allowed, 'g openid patient/*.read', answer)).toBe('patient/*.read');
    expect(policyAnswer(allowed, 'g openid patient/*.read', answer)).toBe('patient/*.read');
    expect(answer).toHaveBeenCalledTimes(1);

    // A client's next event brings a new list, even with the same scopes in it.
    expect(policyAnswer([...allowed], 'g openid patient/*.read', answer)).toBe('patient/*.read');
    expect(policyAnswer(allowed, 'c openid patient/*.read', answer)).toBe('patient/*.read');
    expect(answer).toHaveBeenCalledTimes(3);
  });

  it('keeps a bounded number of short questions per list', () => {
    const allowed = ['system/Patient.rs'];
    const answer = jest.fn(() => '');
    const long = `c ${'system/Patient.rs '.repeat(100)}`;
    policyAnswer(allowed, long, answer);
    policyAnswer(allowed, long, answer);
    expect(answer).toHaveBeenCalledTimes(2);

    for (let index = 0; index <= 256; index += 1) policyAnswer(allowed, `c scope${index}`, answer);
    answer.mockClear();
    // The 257th question emptied what was kept: the first ones are asked again, the last one is not.
    policyAnswer(allowed, 'c scope0', answer);
    policyAnswer(allowed, 'c scope256', answer);
    expect(answer).toHaveBeenCalledTimes(1);
  });
});
