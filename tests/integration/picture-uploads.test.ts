/**
 * Every route that takes a picture (a course's picture, the organisation's logo, a profile picture)
 * against what people really upload: phone photos that carry their author and where they were taken,
 * and files that are damaged or are not what their name says.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sharp from 'sharp';
import { backendPerson, courseForm, filesIn, type BackendPerson } from '../support/courses.ts';
import { damagedPicture, PHOTO_EXIF, photoWithExif, uploadForm } from '../support/image-builder.ts';
import { eventually } from '../support/manual-scheduler.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import type { AgentResponse } from '../support/test-agent.ts';

interface Upload {
  bytes: Buffer;
  name: string;
  type: string;
}

interface PictureRoute {
  name: string;
  /** What the person is told about a file that is no picture. */
  refusal: string;
  upload(person: BackendPerson, picture: Upload): Promise<AgentResponse>;
  /** The id of the image the route stored, from its answer or what it changed. */
  storedId(server: TestServer, person: BackendPerson, response: AgentResponse): Promise<string>;
}

const ROUTES: PictureRoute[] = [
  {
    name: 'a course picture',
    refusal: 'The picture must be a PNG, JPEG or WebP image.',
    upload: (person, picture) => person.agent.postMultipart('/backend/courses', courseForm({ name: 'Pictured course' }, picture)),
    async storedId(server, _person, response) {
      const courseId = response.location!.split('/')[3]!.split('?')[0]!;
      return (await server.db.selectFrom('rooms').select('image_id').where('id', '=', courseId).executeTakeFirstOrThrow()).image_id!;
    },
  },
  {
    name: 'the logo',
    refusal: 'The logo must be a PNG, JPEG or WebP image.',
    async upload(person, picture) {
      const { branding } = (await person.agent.get('/backend/branding', { accept: 'application/json' })).json();
      await person.agent.get('/backend/branding');
      return person.agent.postMultipart('/backend/branding/logo', uploadForm('logo', picture.bytes, { name: picture.name, type: picture.type, fields: { version: String(branding.version) } }));
    },
    storedId: async (_server, person) => (await person.agent.get('/backend/branding', { accept: 'application/json' })).json().branding.logo.split('/')[2],
  },
  {
    name: 'a profile picture',
    refusal: 'The picture must be a PNG, JPEG or WebP image.',
    async upload(person, picture) {
      const { profile } = (await person.agent.get('/backend/profile', { accept: 'application/json' })).json();
      await person.agent.get('/backend/profile');
      return person.agent.postMultipart('/backend/profile/picture', uploadForm('picture', picture.bytes, { name: picture.name, type: picture.type, fields: { version: String(profile.version) } }));
    },
    storedId: async (_server, person) => (await person.agent.get('/backend/profile', { accept: 'application/json' })).json().profile.picture.large.split('/')[2],
  },
];

const DAMAGED: Array<{ format: 'png' | 'jpeg' | 'webp'; damage: 'truncated' | 'broken'; name: string; type: string }> = [
  { format: 'png', damage: 'broken', name: 'picture.png', type: 'image/png' },
  { format: 'png', damage: 'truncated', name: 'picture.png', type: 'image/png' },
  { format: 'jpeg', damage: 'truncated', name: 'photo.jpg', type: 'image/jpeg' },
  { format: 'jpeg', damage: 'broken', name: 'photo.jpg', type: 'image/jpeg' },
  { format: 'webp', damage: 'broken', name: 'picture.webp', type: 'image/webp' },
  { format: 'webp', damage: 'truncated', name: 'picture.webp', type: 'image/webp' },
];

describe('picture uploads', () => {
  let server: TestServer;
  let admin: BackendPerson;

  before(async () => {
    // In development, where a failure would show its stack trace to the person.
    server = await startTestServer({ config: { env: 'development', log: { level: 'silent' } } });
    admin = await backendPerson(server, 'administrator', 'Ada Admin');
  });
  after(async () => {
    await server.stop();
  });

  async function storedImages(): Promise<{ rows: number; folders: string[] }> {
    return { rows: (await server.db.selectFrom('stored_images').selectAll().execute()).length, folders: filesIn(server, 'images').sort() };
  }

  for (const route of ROUTES) {
    describe(`as ${route.name}`, () => {
      it('keeps no EXIF (author, location) in the original or any variant, and turns the picture upright', async () => {
        for (const format of ['jpeg', 'webp', 'png'] as const) {
          const photo = await photoWithExif(format);
          expect((await sharp(photo).metadata()).exif, 'the fixture carries EXIF').to.not.equal(undefined);
          const response = await route.upload(admin, { bytes: photo, name: `photo.${format}`, type: `image/${format}` });
          expect(response.status, response.text.slice(0, 300)).to.equal(303);
          const id = await route.storedId(server, admin, response);
          const variants = await server.db.selectFrom('stored_images').select('purpose').where('id', '=', id).executeTakeFirstOrThrow();
          const names = ['original', ...{ course: ['card', 'invitation'], logo: ['header'], avatar: ['small', 'large'] }[variants.purpose as 'course']!];
          for (const variant of names) {
            const served = await admin.agent.getBytes(`/images/${id}/${variant}`);
            expect(served.status, `${format} ${variant}`).to.equal(200);
            const metadata = await sharp(served.bytes).metadata();
            expect(metadata.exif, `${format} ${variant} EXIF`).to.equal(undefined);
            expect(metadata.orientation, `${format} ${variant} orientation`).to.equal(undefined);
            expect(served.bytes.includes(PHOTO_EXIF.artist), `${format} ${variant} names the author`).to.equal(false);
            expect(served.bytes.includes(Buffer.from('Exif\0\0')), `${format} ${variant} has an EXIF block`).to.equal(false);
          }
          // Shown upright, the sideways 300×200 photo is 200 wide and 300 high.
          const original = await sharp((await admin.agent.getBytes(`/images/${id}/original`)).bytes).metadata();
          expect([original.format, original.width, original.height]).to.deep.equal([format, 200, 300]);
        }
      });

      for (const { format, damage, name, type } of DAMAGED) {
        it(`refuses a ${damage} ${format.toUpperCase()} with 400 and its message, storing nothing`, async () => {
          const before = await storedImages();
          const response = await route.upload(admin, { bytes: await damagedPicture(format, damage), name, type });
          expect(response.status, response.text.slice(0, 300)).to.equal(400);
          expect(response.text).to.contain(route.refusal);
          expect(response.text).to.not.contain('    at ');
          expect(await storedImages()).to.deep.equal(before);
          await eventually(() => expect(filesIn(server, 'uploads-tmp').filter((file) => file.endsWith('.upload'))).to.deep.equal([]));
        });
      }

      it('judges a picture by its content, not its name: a GIF named .png is refused, a PNG named .jpg is taken as a PNG', async () => {
        const before = await storedImages();
        const gif = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#aa3300' } }).gif().toBuffer();
        const refused = await route.upload(admin, { bytes: gif, name: 'picture.png', type: 'image/png' });
        expect(refused.status).to.equal(400);
        expect(refused.text).to.contain(route.refusal);
        expect(await storedImages()).to.deep.equal(before);

        const png = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#0033aa' } }).png().toBuffer();
        const taken = await route.upload(admin, { bytes: png, name: 'photo.jpg', type: 'image/jpeg' });
        expect(taken.status).to.equal(303);
        const original = await admin.agent.getBytes(`/images/${await route.storedId(server, admin, taken)}/original`);
        expect(original.headers.get('content-type')).to.equal('image/png');
        expect((await sharp(original.bytes).metadata()).format).to.equal('png');
      });
    });
  }

  it('removes the metadata of originals stored before uploads were cleaned, when the service starts', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-pictures-'));
    let restarted: TestServer | null = null;
    try {
      const first = await startTestServer({ dataDir });
      const owner = await backendPerson(first, 'instructor');
      const avatar = ROUTES.find((route) => route.name === 'a profile picture')!;
      const id = await avatar.storedId(first, owner, await avatar.upload(owner, { bytes: await photoWithExif('jpeg'), name: 'me.jpg', type: 'image/jpeg' }));
      await first.stop();
      // What the service kept before it cleaned uploads: the photo as it was sent.
      const original = path.join(dataDir, 'images', id, 'original');
      writeFileSync(original, await photoWithExif('jpeg'));

      restarted = await startTestServer({ dataDir });
      await eventually(async () => expect((await sharp(readFileSync(original)).metadata()).exif).to.equal(undefined), 2000);
      const metadata = await sharp(readFileSync(original)).metadata();
      expect([metadata.format, metadata.width, metadata.height, metadata.orientation]).to.deep.equal(['jpeg', 200, 300, undefined]);
      expect(readFileSync(original).includes(PHOTO_EXIF.artist)).to.equal(false);
      const row = await restarted.db.selectFrom('stored_images').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect([row.width, row.height, Number(row.bytes)]).to.deep.equal([200, 300, readFileSync(original).length]);
    } finally {
      await restarted?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
