import { expect } from 'chai';
import { RateBuckets } from '../../../src/live-room/rate-buckets.ts';

describe('RateBuckets', () => {
  it('allows a burst, then the sustained rate, per key', () => {
    let clock = 0;
    const buckets = new RateBuckets({ ratePerSecond: 2, burst: 3, now: () => clock });
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).to.deep.equal([true, true, true, false]);
    expect(buckets.take('b')).to.equal(true);
    clock += 500;
    expect([buckets.take('a'), buckets.take('a')]).to.deep.equal([true, false]);
    buckets.forgetPrefix('a');
    expect(buckets.take('a')).to.equal(true);
  });
});
