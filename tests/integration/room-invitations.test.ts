/**
 * A private room's invitation link: its owner makes it on My Rooms (and sees it
 * in the room), anyone signed in to MediaSpace who opens it joins as a
 * participant, and a new link or turning it off stops the old one.
 */
import { expect } from 'chai';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';
import { withoutSecrets } from '../../src/lib/logger/redact.ts';

const LINK = /value="(https?:\/\/[^"]+\/room-invitations\/[^"]+)"/;

describe('private room invitation links', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ settings: { enabled: true, enableUserPrivateLiveRoom: true } });
  });
  after(() => server.stop());

  async function person(role: 'privateOnlyRole' | 'viewerRole', name: string): Promise<TestAgent> {
    return signIn(server, (await server.kaltura.createUser({ role, name })).id);
  }

  /** An owner with one room, on My Rooms as the page shows it. */
  async function ownerWithRoom(name = 'Reading group') {
    const owner = await person('privateOnlyRole', 'Olga Owner');
    await owner.get('/my-rooms');
    await owner.post('/my-rooms', { name });
    const room = (await owner.get('/my-rooms', { accept: 'application/json' })).json().rooms[0] as { id: string };
    return { owner, room };
  }

  /** The link My Rooms shows for the room now; null when it shows none. */
  async function linkOnMyRooms(owner: TestAgent, roomId: string): Promise<string | null> {
    const page = (await owner.get('/my-rooms')).text;
    const entry = page.slice(page.indexOf(`id="room-${roomId}"`));
    return LINK.exec(entry.slice(0, entry.indexOf('</li>')))?.[1] ?? null;
  }

  async function renew(owner: TestAgent, roomId: string): Promise<string> {
    await owner.get('/my-rooms');
    const made = await owner.post(`/my-rooms/${roomId}/invitation`);
    expect(made.status).to.equal(303);
    expect(made.location).to.match(/^\/my-rooms/);
    return (await linkOnMyRooms(owner, roomId))!;
  }

  it('lets the owner make a link that anyone signed in to MediaSpace uses to join as a participant', async () => {
    const { owner, room } = await ownerWithRoom();
    expect((await owner.get('/my-rooms')).text).to.contain('No invitation link: only you can enter this room.').and.contain('Create invitation link');
    expect(await linkOnMyRooms(owner, room.id)).to.equal(null);
    const link = await renew(owner, room.id);
    expect(link).to.match(/^http:\/\/127\.0\.0\.1\/room-invitations\/[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}$/);
    const path = new URL(link).pathname;

    // A viewer (no My Rooms of her own) opens it: one button in, a POST.
    const guest = await person('viewerRole', 'Gina Guest');
    const invited = await guest.get(path);
    expect(invited.status).to.equal(200);
    expect(invited.text).to.contain('Join Reading group').and.contain(`action="${path}"`).and.contain('Join the room');
    const launched = await guest.post(path);
    expect(launched.status).to.equal(303);
    const inRoom = await guest.follow(launched);
    expect(inRoom.status).to.equal(200);
    expect(inRoom.text).to.contain('data-room-role="participant"').and.contain('data-permission="chat"').and.not.contain('data-permission="startSession"');
    // Only the owner sees the link and the way back to My Rooms.
    expect(inRoom.text).to.not.contain('data-invitation-url').and.not.contain('data-back-to-my-rooms');

    await owner.get('/my-rooms');
    const ownerRoom = await owner.follow(await owner.post(`/my-rooms/${room.id}/launch`));
    expect(ownerRoom.text).to.contain(`value="${link}"`).and.contain('href="/my-rooms"');
    // The owner using her own link enters as the instructor.
    await owner.get(path);
    const ownLaunch = await owner.post(path, {}, { accept: 'application/json' });
    expect(ownLaunch.json()).to.include({ roomRole: 'instructor', roomId: room.id });
  });

  it('stops the old link when the owner makes a new one, and every link when she turns it off', async () => {
    const { owner, room } = await ownerWithRoom();
    const first = new URL(await renew(owner, room.id)).pathname;
    const second = new URL(await renew(owner, room.id)).pathname;
    expect(second).to.not.equal(first);
    const guest = await person('viewerRole', 'Gus Guest');
    const gone = await guest.get(first);
    expect(gone.status).to.equal(404);
    expect(gone.text).to.contain('This invitation link does not work any more.');
    expect((await guest.post(first, {}, { accept: 'application/json' })).json().error.code).to.equal('INVITATION_NOT_FOUND');
    expect((await guest.get(second)).status).to.equal(200);

    await owner.get('/my-rooms');
    expect((await owner.post(`/my-rooms/${room.id}/invitation/delete`)).status).to.equal(303);
    expect(await linkOnMyRooms(owner, room.id)).to.equal(null);
    expect((await guest.get(second)).status).to.equal(404);
    expect(await server.db.selectFrom('room_invitations').selectAll().where('room_id', '=', room.id).execute()).to.have.length(0);
  });

  it('refuses forged codes, other people\'s rooms and people without a session, and keeps codes out of logs', async () => {
    const { owner, room } = await ownerWithRoom();
    const path = new URL(await renew(owner, room.id)).pathname;
    const guest = await person('viewerRole', 'Fay Forger');
    const [nonce, signature] = path.slice('/room-invitations/'.length).split('.');
    const forged = `/room-invitations/${nonce}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const wrong of [forged, '/room-invitations/x', `/room-invitations/${nonce}`]) expect((await guest.get(wrong)).status, wrong).to.equal(404);

    // Someone else cannot make, renew or turn off the owner's link.
    const other = await person('privateOnlyRole', 'Otto Other');
    await other.get('/my-rooms');
    expect((await other.post(`/my-rooms/${room.id}/invitation`, {}, { accept: 'application/json' })).status).to.equal(404);
    expect((await other.post(`/my-rooms/${room.id}/invitation/delete`, {}, { accept: 'application/json' })).status).to.equal(404);
    expect((await guest.get(path)).status).to.equal(200);

    expect((await server.agent().get(path, { accept: 'application/json' })).status).to.equal(401);
    expect(withoutSecrets(`GET ${path}`)).to.equal('GET /room-invitations/[redacted]');
  });
});
