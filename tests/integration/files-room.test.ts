/**
 * A course's files inside its live room: listed for the instructors there,
 * downloadable with their room pass, and neither listed for nor sent to
 * participants and people without a pass.
 */
import { expect } from 'chai';
import { LEVEL } from '../support/kaltura-seed.ts';
import { signIn, startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

describe('course files in the live room', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  /** A channel meeting with a Manager (instructor) and a Member (participant) in its room, and an administrator. */
  async function roomWithPeople() {
    const channel = await server.kaltura.createChannel(`Files seminar ${Math.random().toString(36).slice(2, 7)}`);
    const managerUser = await server.kaltura.createUser({ role: 'viewerRole', name: 'Mia Manager' });
    const memberUser = await server.kaltura.createUser({ role: 'viewerRole', name: 'Max Member' });
    await server.kaltura.addMember(channel.id, managerUser.id, LEVEL.manager);
    await server.kaltura.addMember(channel.id, memberUser.id, LEVEL.member);

    const manager = await signIn(server, managerUser.id);
    await manager.get(`/channels/${channel.id}/meeting`);
    const started = await manager.post(`/channels/${channel.id}/meeting/start`);
    expect(started.status).to.equal(303);
    const page = await manager.follow(started);
    const roomId = page.text.match(/data-room-id="([0-9a-f-]{36})"/)![1]!;

    const member = await signIn(server, memberUser.id);
    await member.get(`/channels/${channel.id}/meeting`);
    expect((await member.follow(await member.post(`/channels/${channel.id}/meeting/join`))).text).to.contain('data-room-role="participant"');

    const admin = await signIn(server, (await server.kaltura.createUser({ role: 'adminRole' })).id);
    await admin.get('/backend/files');
    return { roomId, manager, member, admin };
  }

  async function upload(agent: TestAgent, roomId: string, folderId: string | null, files: Array<[string, string]>) {
    const form = new FormData();
    for (const [name, content] of files) form.append('files', new Blob([content]), name);
    const response = await agent.postMultipart(`/backend/courses/${roomId}/files/upload${folderId ? `?folder=${folderId}` : ''}`, form, { accept: 'application/json' });
    expect(response.status, response.text).to.equal(201);
    return response.json().files as Array<{ id: string; name: string }>;
  }

  it('lists the files, folder by folder, for an instructor, with links that download with the room pass', async () => {
    const { roomId, manager, admin } = await roomWithPeople();
    const before = await manager.get(`/rooms/${roomId}`);
    expect(before.text).to.contain('data-room-files').and.contain('No files yet.');

    const folder = (await admin.postJson(`/backend/courses/${roomId}/folders`, { name: 'Slides', parent: '' })).json().folder.id;
    const [top] = await upload(admin, roomId, null, [['agenda.txt', 'agenda']]);
    const [slide] = await upload(admin, roomId, folder, [['deck "one".pdf', 'deck']]);

    const page = await manager.get(`/rooms/${roomId}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Course files').and.contain('(2)').and.contain('Top level').and.contain('>Slides<');
    expect(page.text).to.contain(`href="/rooms/${roomId}/files/${top!.id}"`).and.contain(`href="/rooms/${roomId}/files/${slide!.id}"`);
    expect(page.text).to.contain('deck &#34;one&#34;.pdf');

    const download = await manager.getBytes(`/rooms/${roomId}/files/${slide!.id}`);
    expect(download.status).to.equal(200);
    expect(download.bytes.toString()).to.equal('deck');
    expect(download.headers.get('content-disposition')).to.equal(`attachment; filename="deck _one_.pdf"; filename*=UTF-8''deck%20%22one%22.pdf`);
    expect(download.headers.get('x-content-type-options')).to.equal('nosniff');

    // The room's JSON is unchanged: the panel is for the page.
    expect((await manager.get(`/rooms/${roomId}`, { accept: 'application/json' })).json()).to.not.have.property('filesPanel');
  });

  it('shows no files to a participant and sends them none', async () => {
    const { roomId, member, admin } = await roomWithPeople();
    const [file] = await upload(admin, roomId, null, [['answers.txt', 'answers']]);
    const page = await member.get(`/rooms/${roomId}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.not.contain('data-room-files').and.not.contain('answers.txt');
    expect((await member.getBytes(`/rooms/${roomId}/files/${file!.id}`)).status).to.equal(403);
  });

  it('sends nothing without a pass for the room, nor a file of another room', async () => {
    const first = await roomWithPeople();
    const second = await roomWithPeople();
    const [file] = await upload(first.admin, first.roomId, null, [['first.txt', 'first']]);
    expect((await server.agent().getBytes(`/rooms/${first.roomId}/files/${file!.id}`)).status).to.equal(401);
    expect((await second.manager.getBytes(`/rooms/${first.roomId}/files/${file!.id}`)).status).to.equal(401);
    expect((await second.manager.getBytes(`/rooms/${second.roomId}/files/${file!.id}`)).status).to.equal(404);
    expect((await first.manager.getBytes(`/rooms/${first.roomId}/files/not-a-file`)).status).to.equal(404);
  });
});
