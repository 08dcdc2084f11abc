import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createBackendAccount, signInWithPassword } from '../support/backend-accounts.ts';
import { buildImage, uploadForm } from '../support/image-builder.ts';
import { rawUpload } from '../support/slow-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { TestAgent } from '../support/test-agent.ts';

/** Every folder and file under a folder, with its permission bits. */
function modesUnder(root: string): Map<string, number> {
  const modes = new Map<string, number>([['.', statSync(root).mode & 0o777]]);
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) modes.set(entry, statSync(path.join(root, entry)).mode & 0o777);
  return modes;
}

/** An upload left half-sent on a raw socket, so its temporary file exists while it is checked. */
async function halfSentUpload(server: TestServer, agent: TestAgent, courseId: string): Promise<net.Socket> {
  const { head, body } = await rawUpload(agent, `/backend/courses/${courseId}/files/upload`, uploadForm('files', Buffer.alloc(64 * 1024, 1), { name: 'big.bin', type: 'application/octet-stream' }));
  const { hostname, port } = new URL(server.url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  socket.write(`${head}\r\n\r\n`);
  socket.write(body.subarray(0, body.length / 2));
  return socket;
}

/** The server runs in this process: each turn of the event loop lets it read and write a little more. */
async function eventually<T>(find: () => T | undefined, attempts = 5000): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('never found');
}

describe('the data folder', () => {
  let parent: string;
  let dataDir: string;
  let server: TestServer;

  before(async () => {
    parent = mkdtempSync(path.join(tmpdir(), 'live-rooms-data-'));
    // A folder the service makes itself, not one the test made.
    dataDir = path.join(parent, 'data');
    server = await startTestServer({ dataDir });
  });
  after(async () => {
    await server.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('is the service\'s own: folders 0700, files 0600 (database, mail, pictures, files, uploads in progress, secrets)', async () => {
    // Mail to the outbox, a picture, a course file, and an upload still arriving.
    const admin = await createBackendAccount(server, { role: 'administrator' });
    await server.agent().post('/password-reset', { email: admin.email! });
    const agent = await signInWithPassword(server, admin.email!);
    await agent.get('/backend/profile');
    expect((await agent.postMultipart('/backend/profile/picture', uploadForm('picture', await buildImage(), { fields: { version: String(admin.version) } }))).status).to.equal(303);
    const courseId = randomUUID();
    await server.db
      .insertInto('rooms')
      .values({ id: courseId, kind: 'course', name: 'Private course', channel_id: null, owner_user_id: null, capacity: null, created_at: Date.now(), updated_at: Date.now(), summary: null, description: null, plan_id: 'smart_15', plan_limits: null, image_id: null, updated_by: null })
      .execute();
    const form = new FormData();
    form.append('files', new Blob(['notes']), 'notes.txt');
    expect((await agent.postMultipart(`/backend/courses/${courseId}/files/upload`, form, { accept: 'application/json' })).status).to.equal(201);
    const arriving = await halfSentUpload(server, agent, courseId);
    try {
      const uploadsTmp = path.join(dataDir, 'uploads-tmp');
      await eventually(() => readdirSync(uploadsTmp, { recursive: true, encoding: 'utf8' }).find((entry) => entry.endsWith('.upload')));
      const modes = modesUnder(dataDir);
      const names = [...modes.keys()];
      for (const expected of ['live-rooms.sqlite', 'live-rooms.sqlite-wal', 'live-rooms.sqlite-shm', 'secrets/csrf-secret', 'outbox', 'images', 'files', 'uploads-tmp']) expect(names).to.include(expected);
      for (const folder of ['outbox', 'images', 'files', 'uploads-tmp']) expect(names.some((name) => name.startsWith(`${folder}${path.sep}`) && statSync(path.join(dataDir, name)).isFile()), `a file in ${folder}`).to.equal(true);
      const wrong = names.filter((name) => modes.get(name) !== (statSync(path.join(dataDir, name)).isDirectory() ? 0o700 : 0o600)).map((name) => `${name} ${modes.get(name)!.toString(8)}`);
      expect(wrong).to.deep.equal([]);
    } finally {
      arriving.destroy();
    }
  });
});
