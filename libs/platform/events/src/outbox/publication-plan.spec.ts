import { groupByTopic, planPublication, type OutboxRowRef } from './publication-plan';

const row = (id: number, key: string, topic = 't'): OutboxRowRef => ({ id: String(id), topic, key });
const ids = (rows: OutboxRowRef[]) => rows.map((r) => Number(r.id));

describe(planPublication.name, () => {
  it('publishes every locked row when each is the oldest unsent of its key', () => {
    const locked = [row(1, 'a'), row(2, 'b'), row(3, 'a')];
    expect(ids(planPublication(locked, locked))).toEqual([1, 2, 3]);
  });

  it('holds a key back behind an older unsent row it does not hold (another relay, or backing off)', () => {
    const locked = [row(2, 'a'), row(3, 'b'), row(4, 'a')];
    const unsent = [row(1, 'a'), ...locked];
    expect(ids(planPublication(locked, unsent))).toEqual([3]);
  });

  it('stops a key at a gap in the middle and keeps the prefix before it', () => {
    const locked = [row(1, 'a'), row(3, 'a'), row(4, 'b')];
    const unsent = [row(1, 'a'), row(2, 'a'), row(3, 'a'), row(4, 'b')];
    expect(ids(planPublication(locked, unsent))).toEqual([1, 4]);
  });

  it('tells the same key on different topics apart', () => {
    const locked = [row(2, 'a', 'x')];
    const unsent = [row(1, 'a', 'y'), row(2, 'a', 'x')];
    expect(ids(planPublication(locked, unsent))).toEqual([2]);
  });

  it('orders ids numerically, not as text', () => {
    const locked = [row(9, 'a'), row(10, 'a')];
    expect(ids(planPublication(locked, [row(10, 'a'), row(9, 'a')]))).toEqual([9, 10]);
  });

  it('publishes nothing when nothing is locked', () => {
    expect(planPublication([], [row(1, 'a')])).toEqual([]);
  });
});

describe(groupByTopic.name, () => {
  it('keeps id order within each topic', () => {
    const groups = groupByTopic([row(1, 'a', 'x'), row(2, 'a', 'y'), row(3, 'b', 'x')]);
    expect([...groups].map(([topic, rows]) => [topic, ids(rows)])).toEqual([
      ['x', [1, 3]],
      ['y', [2]],
    ]);
  });
});
