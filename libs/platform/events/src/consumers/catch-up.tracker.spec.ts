import { CatchUpTimeoutError } from '../event-bus';
import { CatchUpTracker } from './catch-up.tracker';

describe(CatchUpTracker.name, () => {
  let sut: CatchUpTracker;
  beforeEach(() => {
    sut = new CatchUpTracker();
  });

  it('is not caught up before it knows the watermarks', () => {
    expect(sut.isCaughtUp()).toBe(false);
  });

  it('is caught up at once on empty partitions', () => {
    sut.start(
      [
        { partition: 0, high: '0', low: '0' },
        { partition: 1, high: '7', low: '7' },
      ],
      { fromBeginning: true },
    );
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('waits for the event just below the high-water mark of every partition', async () => {
    sut.start(
      [
        { partition: 0, high: '3', low: '0' },
        { partition: 1, high: '1', low: '0' },
      ],
      { fromBeginning: true },
    );
    const caughtUp = sut.wait('t', 'g');
    sut.handled(0, '1');
    sut.handled(1, '0');
    expect(sut.isCaughtUp()).toBe(false);
    expect(sut.remaining()).toEqual([{ partition: 0, target: '3' }]);
    sut.handled(0, '2');
    expect(sut.isCaughtUp()).toBe(true);
    await expect(caughtUp).resolves.toBeUndefined();
  });

  it('counts an offset past the target (compaction gaps, later events) as caught up', () => {
    sut.start([{ partition: 0, high: '10', low: '0' }], { fromBeginning: true });
    sut.handled(0, '12');
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('takes a group whose committed offset is already at the mark as caught up', () => {
    sut.start([{ partition: 0, high: '5', low: '0', committed: '5' }], { fromBeginning: true });
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('resumes a group from its committed offset up to the mark', () => {
    sut.start([{ partition: 0, high: '5', low: '0', committed: '2' }], { fromBeginning: false });
    expect(sut.isCaughtUp()).toBe(false);
    sut.handled(0, '4');
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('has nothing to catch up for a new group that starts at the end', () => {
    sut.start([{ partition: 0, high: '5', low: '0', committed: '-1' }], { fromBeginning: false });
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('gives up on a partition whose events were all deleted under it', () => {
    sut.start([{ partition: 0, high: '5', low: '0' }], { fromBeginning: true });
    sut.lowWatermarks([{ partition: 0, low: '3' }]);
    expect(sut.isCaughtUp()).toBe(false);
    sut.lowWatermarks([{ partition: 0, low: '5' }]);
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('keeps the first targets when started again (a consumer relaunch)', () => {
    sut.start([{ partition: 0, high: '2', low: '0' }], { fromBeginning: true });
    sut.start([{ partition: 0, high: '9', low: '0' }], { fromBeginning: true });
    sut.handled(0, '1');
    expect(sut.isCaughtUp()).toBe(true);
  });

  it('rejects a wait that times out', async () => {
    sut.start([{ partition: 0, high: '2', low: '0' }], { fromBeginning: true });
    await expect(sut.wait('t', 'g', 10)).rejects.toBeInstanceOf(CatchUpTimeoutError);
  });
});
