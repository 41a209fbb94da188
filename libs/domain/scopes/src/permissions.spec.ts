import { includesPermissions, intersectPermissions, parsePermissions, unitePermissions } from './permissions';

describe('parsePermissions', () => {
  it.each([
    ['read', ['r', 's']],
    ['write', ['c', 'u', 'd']],
    ['*', ['c', 'r', 'u', 'd', 's']],
  ])('normalizes v1 %s to v2 %j', (text, permissions) => {
    expect(parsePermissions(text)).toStrictEqual({ permissions, v1Permission: text });
  });

  // Every non-empty subsequence of "cruds", enumerated independently of the implementation.
  const subsequences = Array.from({ length: 31 }, (_, mask) => mask + 1).map((mask) =>
    [...'cruds'].filter((_, bit) => mask & (1 << bit)).join(''),
  );

  it.each(subsequences)('accepts v2 .%s', (text) => {
    expect(parsePermissions(text)).toStrictEqual({ permissions: [...text] });
  });

  it.each(['', 'sr', 'rr', 'dus', 'rc', 'scrud', 'x', 'rx', 'R', 'RS', 'Read', 'READ', 'reads', 'w', 'all', '**', 'r s'])(
    'refuses %j',
    (text) => {
      expect(parsePermissions(text)).toBeUndefined();
    },
  );

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('is not fooled by the prototype name %s', (text) => {
    expect(parsePermissions(text)).toBeUndefined();
  });
});

describe('permission sets', () => {
  it('intersects in cruds order', () => {
    expect(intersectPermissions(['s', 'r', 'c'], ['r', 's', 'u'])).toEqual(['r', 's']);
    expect(intersectPermissions(['c', 'u', 'd'], ['r', 's'])).toEqual([]);
  });

  it('unites in cruds order', () => {
    expect(unitePermissions(['s'], ['d', 'c'])).toEqual(['c', 'd', 's']);
  });

  it('tells whether one set includes another', () => {
    expect(includesPermissions(['r', 's'], ['r'])).toBe(true);
    expect(includesPermissions(['r', 's'], [])).toBe(true);
    expect(includesPermissions(['r'], ['r', 's'])).toBe(false);
  });
});
