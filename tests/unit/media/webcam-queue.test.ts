import { expect } from 'chai';
import { WebcamQueue } from '../../../src/media/webcam-queue.ts';

const request = (participantId: string, connectionId = `${participantId}-tab`, since = 1) => ({ participantId, name: participantId.toUpperCase(), connectionId, since });

describe('WebcamQueue', () => {
  describe('#ask', () => {
    it('answers each person\'s place, first asked first, and counts a person once', () => {
      const queue = new WebcamQueue();
      expect(queue.ask('r', request('pia'))).to.equal(1);
      expect(queue.ask('r', request('paul'))).to.equal(2);
      expect(queue.ask('r', request('pia', 'pia-other-tab'))).to.equal(1);
      expect(queue.ask('other', request('lou'))).to.equal(1);
      expect(queue.list('r').map((queued) => queued.participantId)).to.deep.equal(['pia', 'paul']);
    });
  });

  describe('#withdraw and #forgetConnection', () => {
    it('takes a person out, by themselves or when the connection that asked closes', () => {
      const queue = new WebcamQueue();
      queue.ask('r', request('pia'));
      queue.ask('r', request('paul'));
      expect(queue.withdraw('r', 'pia')).to.equal(true);
      expect(queue.withdraw('r', 'pia')).to.equal(false);
      expect(queue.forgetConnection('r', 'someone-else')).to.equal(false);
      expect(queue.forgetConnection('r', 'paul-tab')).to.equal(true);
      expect(queue.list('r')).to.deep.equal([]);
    });
  });
});
