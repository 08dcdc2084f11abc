import { expect } from 'chai';
import { createAccountStore } from '../../src/users/account-store.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { courseWithWebcamPlaces } from '../support/media-peer.ts';
import { RoomClient } from '../support/room-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { BackendPerson } from '../support/courses.ts';

/** People in a room are shown with their profile picture (on their tile when their camera is off), when they have one. */
describe('profile pictures in the live room', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  async function setPicture(person: BackendPerson): Promise<void> {
    const { version } = (await createAccountStore(server.db).findById(person.id))!;
    const response = await person.agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage(), { fields: { version: String(version) } }));
    expect(response.status).to.equal(303);
  }

  it('names each person\'s picture in the welcome and in presence, and only for those who have one', async () => {
    const course = await courseWithWebcamPlaces(server, 1, ['instructor:Ines', 'student:Pia']);
    const [ines, pia] = course.people as [BackendPerson, BackendPerson];
    await setPicture(pia);
    const teacher = await RoomClient.launch(ines.agent, await course.launchUrl(ines));
    await teacher.next('welcome');
    teacher.send({ type: 'session.start' });
    await teacher.next('session.started');
    const student = await RoomClient.launch(pia.agent, await course.launchUrl(pia));
    try {
      const welcome = await student.next('welcome');
      const joined = await teacher.next('presence.joined');
      expect(joined.participant.picture).to.match(/^\/images\/[0-9a-f-]{36}\/small$/);
      const people = welcome.participants as Array<{ name: string; picture?: string }>;
      expect(people.find((person) => person.name === 'Pia')?.picture).to.equal(joined.participant.picture);
      expect(people.find((person) => person.name === 'Ines')).to.not.have.property('picture');
      const image = await server.agent().get(joined.participant.picture);
      expect(image.status).to.equal(200);
      expect(image.headers.get('content-type')).to.contain('image/');
    } finally {
      teacher.socket.terminate();
      student.socket.terminate();
    }
  });
});
