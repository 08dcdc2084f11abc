import { expect } from 'chai';
import { pino } from 'pino';
import { EmbeddedMediaServer } from '../../../src/media/embedded/embedded-media-server.ts';
import { MediaServerError, type MediaServer } from '../../../src/media/media-server.ts';
import { createUnavailableMediaServer } from '../../../src/media/unavailable-media-server.ts';

/** Media servers that do not record say so, and refuse to: the room then says recording needs Janus. */
describe('MediaServer › recording where it is not offered', () => {
  const embedded = new EmbeddedMediaServer(
    { caps: { streamsPerRoom: 60, streamsPerServer: 120 }, portRange: '49000-49010', stunServer: null, extraHostAddresses: [] },
    { logger: pino({ level: 'silent' }), requestTimeoutMs: 1000 },
  );
  for (const [name, server] of [['the embedded SFU', embedded], ['no media server', createUnavailableMediaServer()]] as Array<[string, MediaServer]>) {
    it(`${name} does not record, and refuses startRecording with 'refused'`, async () => {
      expect(server.records).to.equal(false);
      const error = await server.startRecording('room', '/nowhere').then(() => null, (refusal: unknown) => refusal);
      expect(error).to.be.instanceOf(MediaServerError);
      expect((error as MediaServerError).reason).to.equal('refused');
      await server.stopRecording('room');
    });
  }
});
