/**
 * The media server when there is none (no Janus configured or installed): the
 * room works with chat and hands, and says that audio and video are unavailable.
 */
import { MediaServerError, type MediaServer } from './media-server.ts';

export function createUnavailableMediaServer(): MediaServer {
  const refuse = async (): Promise<never> => {
    throw new MediaServerError('unavailable', 'no media server is configured');
  };
  return {
    kind: 'none',
    available: () => false,
    records: false,
    startRecording: async () => {
      throw new MediaServerError('refused', 'no media server is configured to record');
    },
    stopRecording: async () => undefined,
    openRoom: refuse,
    closeRoom: async () => undefined,
    publish: refuse,
    unpublish: async () => undefined,
    updateReceiving: refuse,
    answerReceiving: refuse,
    restartReceiving: refuse,
    closeReceiving: async () => undefined,
    chooseLayer: refuse,
    receiveVideo: refuse,
    restartPublisher: refuse,
    trickle: refuse,
    configure: refuse,
    leave: async () => undefined,
    onReset: () => () => undefined,
    close: async () => undefined,
  };
}
