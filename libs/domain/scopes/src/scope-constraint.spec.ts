import type { ScopeConstraint } from './scope';
import { combineConstraints, constraintWithin, formatConstraint, parseConstraint } from './scope-constraint';

function constraint(query: string): ScopeConstraint {
  const parsed = parseConstraint(query);
  if (parsed === undefined) {
    throw new Error(`test fixture ${query} does not parse`);
  }
  return parsed;
}

function maybe(query: string | undefined): ScopeConstraint | undefined {
  return query === undefined ? undefined : constraint(query);
}

describe('parseConstraint', () => {
  it('keeps values as written, including `=` inside a value', () => {
    expect(parseConstraint('category=a|b&code=x=y')).toStrictEqual({
      params: [
        { name: 'category', value: 'a|b' },
        { name: 'code', value: 'x=y' },
      ],
    });
  });

  it.each(['', 'category', 'category=', '=x', 'a=1&', '&a=1', 'a=1&&b=2', '1a=x', 'a b=x', 'code:=x', 'code..x=1'])(
    'refuses %j',
    (query) => {
      expect(parseConstraint(query)).toBeUndefined();
    },
  );

  it('writes the query back unchanged', () => {
    expect(formatConstraint(constraint('_tag=a|b&code:in=http://vs.example/x'))).toBe('_tag=a|b&code:in=http://vs.example/x');
  });
});

describe('constraintWithin', () => {
  it.each<[string | undefined, string | undefined, boolean]>([
    [undefined, undefined, true],
    ['category=lab', undefined, true],
    [undefined, 'category=lab', false],
    ['category=lab', 'category=lab', true],
    ['category=lab&code=x', 'category=lab', true],
    ['code=x&category=lab', 'category=lab&code=x', true],
    ['category=lab', 'category=lab&code=x', false],
    ['category=lab', 'category=vital-signs', false],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(constraintWithin(maybe(inner), maybe(outer))).toBe(expected);
  });
});

describe('combineConstraints', () => {
  it.each<[string | undefined, string | undefined, string | undefined]>([
    [undefined, undefined, undefined],
    ['category=lab', undefined, 'category=lab'],
    [undefined, 'category=lab', 'category=lab'],
    ['category=lab', 'category=lab', 'category=lab'],
    ['category=lab', 'code=x', 'category=lab&code=x'],
    ['category=lab&code=x', 'code=x&status=final', 'category=lab&code=x&status=final'],
  ])('%s and %s: %s', (a, b, expected) => {
    const combined = combineConstraints(maybe(a), maybe(b));

    expect(combined && formatConstraint(combined)).toBe(expected);
  });
});
