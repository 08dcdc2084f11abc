/**
 * "Instructors admit each person": a room setting that keeps participants
 * waiting until an instructor admits them (one, or all) or denies them. Off by
 * default: then everyone waiting enters when the session starts.
 */
import { expect } from 'chai';
import { channelScene, eachTestServer } from '../support/channel-scene.ts';
import { RoomClient } from '../support/room-client.ts';
import { eventually } from '../support/manual-scheduler.ts';

describe('room admission by instructors', () => {
  const harness = eachTestServer();

  /** A room whose instructor turned the setting on, and is in it. */
  async function admittingRoom() {
    const scene = await channelScene(harness.server);
    const ines = harness.track(await scene.instructor());
    const welcome = await ines.next('welcome');
    expect(welcome.admission).to.deep.equal({ instructorsAdmit: false, waitingForAdmission: false });
    ines.send({ type: 'room.admission', instructorsAdmit: true });
    expect((await ines.next('admission.changed')).instructorsAdmit).to.equal(true);
    return { scene, ines };
  }

  /** A participant's page: it comes back at once after 4009, as room.js does. */
  async function reenterAfterAdmission(scene: Awaited<ReturnType<typeof channelScene>>, client: RoomClient, agent: Parameters<typeof RoomClient.open>[0]) {
    expect((await client.closed).code).to.equal(4009);
    return harness.track(await RoomClient.open(agent, client.received[0]!.room.id));
  }

  it('keeps participants waiting after the start until an instructor admits them, one or all', async () => {
    const { scene, ines } = await admittingRoom();
    const pia = await scene.member('Pia');
    const paul = await scene.member('Paul');
    const piaClient = harness.track(await pia.enter());
    const paulClient = harness.track(await paul.enter());
    expect((await piaClient.next('welcome')).admission).to.deep.equal({ instructorsAdmit: true, waitingForAdmission: true });
    await paulClient.next('welcome');

    ines.send({ type: 'session.start' });
    await ines.next('session.started');
    const waiting = await ines.next('waiting.changed', (m) => m.waiting.length === 2);
    expect(waiting.waiting.map((p: { name: string }) => p.name)).to.have.members(['Pia', 'Paul']);
    // Nothing of the session reaches those who wait, and they may not act in it.
    ines.send({ type: 'chat.send', text: 'only for those inside' });
    await ines.next('chat.message');
    piaClient.send({ type: 'chat.send', text: 'let me in' });
    expect((await piaClient.next('error')).code).to.equal('WAITING_FOR_ADMISSION');
    expect(piaClient.unread('session.started').concat(piaClient.unread('chat.message'))).to.deep.equal([]);

    const piaId = waiting.waiting.find((p: { name: string }) => p.name === 'Pia').participantId;
    ines.send({ type: 'participant.admit', participantId: piaId });
    await piaClient.next('admission.admitted');
    const piaInside = await reenterAfterAdmission(scene, piaClient, pia.agent);
    const inside = await piaInside.next('welcome');
    expect(inside).to.deep.include({ phase: 'live' }).and.nested.include({ 'admission.waitingForAdmission': false });
    expect(inside.chat.map((m: { text: string }) => m.text)).to.deep.equal(['only for those inside']);
    await ines.next('waiting.changed', (m) => m.waiting.length === 1 && m.waiting[0].name === 'Paul');

    ines.send({ type: 'participant.admitAll' });
    await paulClient.next('admission.admitted');
    expect((await (await reenterAfterAdmission(scene, paulClient, paul.agent)).next('welcome')).phase).to.equal('live');
    await ines.next('waiting.changed', (m) => m.waiting.length === 0);
  });

  it('tells a denied person so, and closes their connection for good (4008)', async () => {
    const { scene, ines } = await admittingRoom();
    await scene.startFromMediaSpace();
    const pia = harness.track(await scene.participant('Pia'));
    expect((await pia.next('welcome')).phase).to.equal('waiting');
    const { waiting } = await ines.next('waiting.changed', (m) => m.waiting.length === 1);
    ines.send({ type: 'participant.deny', participantId: waiting[0].participantId });
    expect((await pia.next('admission.denied')).message).to.equal('An instructor did not let you into this session.');
    expect((await pia.closed).code).to.equal(4008);
    await ines.next('waiting.changed', (m) => m.waiting.length === 0);
    ines.send({ type: 'participant.deny', participantId: waiting[0].participantId });
    expect((await ines.next('error')).code).to.equal('NOT_FOUND');
  });

  it('is the instructors\' to change: participants are refused, and a bad value is named', async () => {
    const scene = await channelScene(harness.server);
    const pia = harness.track(await scene.participant('Pia'));
    await pia.next('welcome');
    for (const message of [{ type: 'room.admission', instructorsAdmit: true }, { type: 'participant.admitAll' }, { type: 'participant.admit', participantId: 'x' }, { type: 'participant.deny', participantId: 'x' }]) {
      pia.send(message);
      const error = await pia.next('error');
      expect(error.code, message.type).to.equal('NOT_ALLOWED');
      expect(error.message).to.contain('let people in');
    }
    const ines = harness.track(await scene.instructor());
    await ines.next('welcome');
    ines.send({ type: 'room.admission', instructorsAdmit: 'yes' });
    expect((await ines.next('error')).message).to.contain('instructorsAdmit must be true or false');
  });

  it('lets everyone waiting in when the setting is turned off, and keeps it for the room', async () => {
    const { scene, ines } = await admittingRoom();
    await scene.startFromMediaSpace();
    const pia = await scene.member('Pia');
    const piaClient = harness.track(await pia.enter());
    await piaClient.next('welcome');
    ines.send({ type: 'room.admission', instructorsAdmit: false });
    await piaClient.next('admission.admitted');
    expect((await (await reenterAfterAdmission(scene, piaClient, pia.agent)).next('welcome')).phase).to.equal('live');
    await eventually(async () => expect(await harness.server.db.selectFrom('room_admission').select('instructors_admit').execute()).to.deep.equal([{ instructors_admit: 0 }]));
  });
});
