import { SeededRandom } from './random';

describe(SeededRandom.name, () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const sequence = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.int(0, 999_999));
    };
    expect(sequence(42)).toEqual(sequence(42));
    expect(sequence(42)).not.toEqual(sequence(43));
  });

  it('keeps int within its inclusive bounds and reaches both ends', () => {
    const random = new SeededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(random.int(1, 3));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('refuses to pick from nothing', () => {
    expect(() => new SeededRandom(1).pick([])).toThrow('nothing to pick from');
  });

  it('gives chance(0) never and chance(1) always', () => {
    const random = new SeededRandom(3);
    const draws = Array.from({ length: 1000 }, () => [random.chance(0), random.chance(1)]);
    expect(draws.every(([never, always]) => !never && always)).toBe(true);
  });
});
