import { issuedBeforeNotBefore, laterNotBefore } from './not-before';

describe('issuedBeforeNotBefore', () => {
  const notBefore = Date.parse('2026-12-01T12:00:00.500Z');
  const second = Date.parse('2026-12-01T12:00:00Z') / 1000;

  it('honours every credential of a client that was never suspended', () => {
    expect(issuedBeforeNotBefore(undefined, second - 3600)).toBe(false);
    expect(issuedBeforeNotBefore(undefined, undefined)).toBe(false);
  });

  it('voids every credential issued before the not-before, whatever iat dropped', () => {
    expect(issuedBeforeNotBefore(notBefore, second - 1)).toBe(true);
    // Issued in the not-before's second: before it or after, iat cannot tell, so void.
    expect(issuedBeforeNotBefore(notBefore, second)).toBe(true);
    expect(issuedBeforeNotBefore(notBefore, second + 1)).toBe(false);
    // A not-before on a whole second: what iat names that second was issued at or after it.
    expect(issuedBeforeNotBefore(Date.parse('2026-12-01T12:00:00Z'), second)).toBe(false);
    expect(issuedBeforeNotBefore(Date.parse('2026-12-01T12:00:00Z'), second - 1)).toBe(true);
  });

  it('voids a credential without a usable iat once a not-before is set', () => {
    for (const iat of [undefined, null, '1764590400', Number.NaN, Number.POSITIVE_INFINITY]) expect(issuedBeforeNotBefore(notBefore, iat)).toBe(true);
  });
});

describe('laterNotBefore', () => {
  it('keeps the latest instant and ignores unset values', () => {
    expect(laterNotBefore()).toBeUndefined();
    expect(laterNotBefore(undefined, undefined)).toBeUndefined();
    expect(laterNotBefore(5, undefined, 9, 7)).toBe(9);
    expect(laterNotBefore(undefined, 3)).toBe(3);
    expect(laterNotBefore(Number.NaN, 2)).toBe(2);
  });
});
