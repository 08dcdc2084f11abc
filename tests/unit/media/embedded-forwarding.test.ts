import { expect } from 'chai';
import { Continuity, isVp8Keyframe, LAYER_IDLE_MS, LayerSelector } from '../../../src/media/embedded/forwarding.ts';

/** VP8 payloads: a descriptor with a 15-bit picture id, then the payload header whose low bit is 0 on a keyframe. */
const vp8 = { keyframe: Buffer.from([0x90, 0x80, 0x81, 0x23, 0x10, 0x02]), delta: Buffer.from([0x90, 0x80, 0x81, 0x24, 0x11, 0x02]), middle: Buffer.from([0x80, 0x80, 0x81, 0x23, 0x10]) };

describe('embedded SFU forwarding', () => {
  describe('LayerSelector', () => {
    it('starts with what is sent, and moves up to the largest layer sent that is not above the one asked for', () => {
      const selector = new LayerSelector(3, 2);
      expect(selector.offer(0, true, 0)).to.equal('switch');
      // Only the two smaller layers are sent (a small camera): the medium one is wanted.
      expect(selector.offer(1, false, 1)).to.equal('drop');
      expect(selector.awaitingKeyframe(2)).to.equal(1);
      expect(selector.offer(1, true, 3)).to.equal('switch');
      expect(selector.offer(1, false, 4)).to.equal('forward');
      expect(selector.offer(0, true, 5)).to.equal('drop');
      expect(selector.awaitingKeyframe(6)).to.equal(null);
    });

    it('moves down when asked, at the smaller layer\'s keyframe, forwarding the current one meanwhile', () => {
      const selector = new LayerSelector(3, 2);
      selector.offer(0, true, 0);
      expect(selector.offer(2, true, 0)).to.equal('switch');
      selector.choose(0);
      expect(selector.offer(2, false, 10)).to.equal('forward');
      expect(selector.offer(0, false, 11)).to.equal('drop');
      expect(selector.offer(0, true, 12)).to.equal('switch');
      expect(selector.offer(2, false, 13)).to.equal('drop');
    });

    it('falls back to a smaller layer when the current one stops being sent, and waits for a keyframe after a pause', () => {
      const selector = new LayerSelector(2, 1);
      expect(selector.offer(1, true, 0)).to.equal('switch');
      selector.offer(0, false, 0);
      expect(selector.wanted(LAYER_IDLE_MS + 1)).to.equal(null);
      selector.offer(0, false, LAYER_IDLE_MS + 1);
      expect(selector.awaitingKeyframe(LAYER_IDLE_MS + 2)).to.equal(0);
      expect(selector.offer(0, true, LAYER_IDLE_MS + 3)).to.equal('switch');
      selector.pause();
      expect(selector.offer(0, false, LAYER_IDLE_MS + 4)).to.equal('drop');
      expect(selector.offer(0, true, LAYER_IDLE_MS + 5)).to.equal('switch');
    });
  });

  describe('Continuity', () => {
    it('numbers a new source right after the last packet sent, its timestamp as much later as time passed', () => {
      const continuity = new Continuity(90_000);
      const first = { sequenceNumber: 65_535, timestamp: 4_294_967_000 };
      continuity.apply(first, 1000);
      const next = { sequenceNumber: 500, timestamp: 10 };
      continuity.rebase(next, 1010);
      continuity.apply(next, 1010);
      expect(next).to.deep.equal({ sequenceNumber: 0, timestamp: (4_294_967_000 + 900) >>> 0 });
      const after = { sequenceNumber: 501, timestamp: 3010 };
      continuity.apply(after, 1043);
      expect(after).to.deep.equal({ sequenceNumber: 1, timestamp: (4_294_967_000 + 900 + 3000) >>> 0 });
    });
  });

  it('tells a VP8 keyframe from a delta frame and from the middle of a frame', () => {
    expect(isVp8Keyframe(vp8.keyframe)).to.equal(true);
    expect(isVp8Keyframe(vp8.delta)).to.equal(false);
    expect(isVp8Keyframe(vp8.middle)).to.equal(false);
    expect(isVp8Keyframe(Buffer.from([0x10, 0x00]))).to.equal(true);
  });
});
