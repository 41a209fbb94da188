import { Prng } from './prng';

describe(Prng.name, () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const sequence = (seed: number) => Array.from({ length: 5 }, ((prng) => () => prng.int(1_000_000))(new Prng(seed)));
    expect(sequence(42)).toEqual(sequence(42));
    expect(sequence(42)).not.toEqual(sequence(43));
  });

  it('stays within its bounds', () => {
    const prng = new Prng(7);
    for (let i = 0; i < 10_000; i++) {
      const value = prng.int(3);
      expect(value >= 0 && value < 3).toBe(true);
    }
  });
});
