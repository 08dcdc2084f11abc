import { expect } from 'chai';
import { courseWithWebcamPlaces, MediaPeer, useMediaSuite } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import type { BackendPerson } from '../support/courses.ts';
import { ManualScheduler } from '../support/manual-scheduler.ts';

/** The webcam queue and an instructor's hold on cameras, in a course whose plan gives one webcam place. */
describe('media: the webcam queue', () => {
  // Time moves only when a test says so: a place given and not used goes back after media.grantHoldSeconds (120).
  const scheduler = new ManualScheduler();
  const suite = useMediaSuite({ rtpPortRange: '45000-45999', scheduler });
  const { track, peer } = suite;

  async function courseWithOnePlace() {
    const course = await courseWithWebcamPlaces(suite.server, 1, ['instructor:Ines', 'student:Pia', 'student:Paul']);
    const [teacher, pia, paul] = course.people as [BackendPerson, BackendPerson, BackendPerson];
    const enter = async (person: BackendPerson) => {
      const client = track(await RoomClient.launch(person.agent, await course.launchUrl(person)));
      const welcome = await client.next('welcome');
      return Object.assign(client, { participantId: welcome.you.participantId as string });
    };
    const ines = await enter(teacher);
    ines.send({ type: 'session.start' });
    await ines.next('session.started');
    return { ines, pia: await enter(pia), paul: await enter(paul) };
  }

  it('queues a participant who asks when the places are taken; the instructor frees a place and gives it', async () => {
    const { ines, pia, paul } = await courseWithOnePlace();
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(paul);
    await ines.next('media.feeds', (message) => message.feeds.length === 1);

    pia.send({ type: 'media.publish', source: 'camera', sdp: peer(await MediaPeer.offering({ audio: true, video: true })).sdp, ref: 'cam' });
    expect((await pia.next('error')).code).to.equal('WEBCAM_LIMIT');
    pia.send({ type: 'media.requestCamera' });
    expect(await pia.next('media.queued')).to.include({ position: 1 });
    expect((await ines.next('media.queue')).queue.map((queued: { name: string }) => queued.name)).to.deep.equal(['Pia']);
    expect(paul.unread('media.queue')).to.deep.equal([]);

    // No place is free: the instructor takes Paul's back first.
    ines.send({ type: 'media.grantCamera', participantId: pia.participantId, ref: 'give' });
    expect((await ines.next('error')).code).to.equal('WEBCAM_LIMIT');
    paul.send({ type: 'media.stopCamera', participantId: pia.participantId, ref: 'not-yours' });
    expect((await paul.next('error')).code).to.equal('NOT_ALLOWED');
    ines.send({ type: 'media.stopCamera', participantId: paul.participantId });
    expect(await paul.next('media.cameraStopped')).to.include({ by: 'Ines' });
    await ines.next('camera.changed', (message) => message.cameras.length === 0);
    await ines.next('media.feeds', (message) => message.feeds.length === 0);

    ines.send({ type: 'media.grantCamera', participantId: pia.participantId });
    expect(await pia.next('media.cameraGranted')).to.include({ by: 'Ines' });
    expect((await ines.next('media.queue', (message) => message.queue.length === 0)).queue).to.deep.equal([]);
    // The place is held for Pia: Paul cannot take it back in the meantime.
    paul.send({ type: 'media.publish', source: 'camera', sdp: peer(await MediaPeer.offering({ audio: true, video: true })).sdp, ref: 'again' });
    expect((await paul.next('error')).code).to.equal('WEBCAM_LIMIT');
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(pia);
    expect((await ines.next('media.feeds', (message) => message.feeds.length === 1)).feeds[0]).to.include({ participantId: pia.participantId, video: true });
  });

  it('drops a request when the person withdraws it or leaves, and refuses to give a place to someone not waiting', async () => {
    const { ines, pia, paul } = await courseWithOnePlace();
    pia.send({ type: 'media.requestCamera' });
    paul.send({ type: 'media.requestCamera' });
    expect(await paul.next('media.queued')).to.include({ position: 2 });
    await ines.next('media.queue', (message) => message.queue.length === 2);
    pia.send({ type: 'media.withdrawRequest' });
    await ines.next('media.queue', (message) => message.queue.length === 1 && message.queue[0].name === 'Paul');
    paul.socket.terminate();
    await ines.next('media.queue', (message) => message.queue.length === 0);
    ines.send({ type: 'media.grantCamera', participantId: pia.participantId, ref: 'nobody' });
    expect((await ines.next('error')).code).to.equal('NOT_FOUND');
  });

  it('gives a place back to the room when the person it was given to does not turn their camera on in time', async () => {
    const { ines, pia, paul } = await courseWithOnePlace();
    pia.send({ type: 'media.requestCamera' });
    await ines.next('media.queue', (message) => message.queue.length === 1);
    ines.send({ type: 'media.grantCamera', participantId: pia.participantId });
    await pia.next('media.cameraGranted');
    await ines.next('camera.changed', (message) => message.cameras.length === 1);

    // Held for Pia a while: not yet back when nearly two minutes have passed.
    await scheduler.advance(119_000);
    expect(pia.unread('media.grantExpired')).to.deep.equal([]);
    await scheduler.advance(1_000);
    await pia.next('media.grantExpired');
    await ines.next('camera.changed', (message) => message.cameras.length === 0);
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(paul);
    expect((await ines.next('media.feeds', (message) => message.feeds.length === 1)).feeds[0]).to.include({ participantId: paul.participantId });
  });

  it('keeps a given place once its camera is on, however long it stays on', async () => {
    const { ines, pia } = await courseWithOnePlace();
    pia.send({ type: 'media.requestCamera' });
    await ines.next('media.queue', (message) => message.queue.length === 1);
    ines.send({ type: 'media.grantCamera', participantId: pia.participantId });
    await pia.next('media.cameraGranted');
    await peer(await MediaPeer.offering({ audio: true, video: true })).publish(pia);
    await ines.next('media.feeds', (message) => message.feeds.length === 1);
    await scheduler.advance(600_000);
    expect(pia.unread('media.grantExpired')).to.deep.equal([]);
    const webcams = ines.unread('camera.changed');
    expect(webcams.at(-1)?.cameras ?? [{}]).to.have.length(1);
  });
});
