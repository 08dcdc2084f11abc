import { expect } from 'chai';
import { ParticipantIds } from '../../../src/live-room/participant-ids.ts';

describe('ParticipantIds', () => {
  const ids = new ParticipantIds('a-service-secret', { maxEntries: 10 });

  it('gives one person one opaque id per room, another in another room, and none that shows the key', () => {
    const id = ids.of('room-1', 'alice');
    expect(id).to.match(/^p_[\w-]{22}$/).and.not.contain('alice');
    expect(ids.of('room-1', 'alice')).to.equal(id);
    expect(ids.of('room-2', 'alice')).to.not.equal(id);
    expect(ids.of('room-1', 'bob')).to.not.equal(id);
    expect(new ParticipantIds('another-secret', { maxEntries: 10 }).of('room-1', 'alice')).to.not.equal(id);
  });

  it('maps an id back among the candidates, and to nobody otherwise', () => {
    expect(ids.find('room-1', ids.of('room-1', 'bob'), ['alice', 'bob'])).to.equal('bob');
    expect(ids.find('room-2', ids.of('room-1', 'bob'), ['alice', 'bob'])).to.equal(null);
    expect(ids.find('room-1', 'bob', ['bob'])).to.equal(null);
  });
});
