import { expect } from 'chai';
import { MEDIA_SDP_MAX, mediaMessageSchema, sentMedia } from '../../../src/media/media-protocol.ts';

const SDP = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendonly', 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=sendrecv', ''].join('\r\n');

describe('media protocol', () => {
  describe('sentMedia', () => {
    it('reads what an SDP sends from its media sections, not what a message claims', () => {
      expect(sentMedia(SDP)).to.deep.equal({ audio: true, video: true });
      expect(sentMedia(SDP.replace('a=sendrecv', 'a=recvonly'))).to.deep.equal({ audio: true, video: false });
      expect(sentMedia(SDP.replace('m=audio 9', 'm=audio 0'))).to.deep.equal({ audio: false, video: true });
      expect(sentMedia(SDP.replace('a=sendonly', 'a=inactive').replace('a=sendrecv', 'a=recvonly'))).to.deep.equal({ audio: false, video: false });
    });
  });

  describe('mediaMessageSchema', () => {
    const publish = (sdp: string) => mediaMessageSchema.safeParse({ v: 1, type: 'media.publish', source: 'camera', sdp }).success;

    it('takes a well-formed SDP and refuses forged or oversized ones', () => {
      expect(publish(SDP)).to.equal(true);
      expect(publish('<script>alert(1)</script>')).to.equal(false);
      expect(publish(SDP.replace(/m=/g, 'x='))).to.equal(false);
      expect(publish(SDP.replace('s=-', 's=\u0000'))).to.equal(false);
      expect(publish(SDP.replace('s=-', 'not a line'))).to.equal(false);
      expect(publish(SDP + `a=x:${'p'.repeat(MEDIA_SDP_MAX)}\r\n`)).to.equal(false);
    });

    it('refuses unknown sources and layers, and candidates that are not candidates', () => {
      expect(mediaMessageSchema.safeParse({ v: 1, type: 'media.unpublish', source: 'window' }).success).to.equal(false);
      expect(mediaMessageSchema.safeParse({ v: 1, type: 'media.layer', participantId: 'p', source: 'camera', layer: 'huge' }).success).to.equal(false);
      expect(mediaMessageSchema.safeParse({ v: 1, type: 'media.trickle', source: 'camera', candidate: { candidate: 'x'.repeat(2000) } }).success).to.equal(false);
      expect(mediaMessageSchema.safeParse({ v: 1, type: 'media.trickle', source: 'camera', candidate: null }).success).to.equal(true);
    });
  });
});
