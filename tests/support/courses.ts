/**
 * Builders for course tests: signed-in backend people, course forms as a
 * browser sends them (multipart, with a picture), pictures of a given size,
 * and a few look-ups in the module's database.
 */
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { BackendRole } from '../../src/backend/backend-roles.ts';
import { createBackendAccount, signInWithPassword } from './backend-accounts.ts';
import type { AgentResponse, TestAgent } from './test-agent.ts';
import type { TestServer } from './test-server.ts';

export interface BackendPerson {
  id: string;
  name: string;
  email: string;
  agent: TestAgent;
}

/** A backend account of the role, signed in, its agent holding a CSRF token of its session. */
export async function backendPerson(server: TestServer, role: BackendRole, name?: string): Promise<BackendPerson> {
  const account = await createBackendAccount(server, { role, ...(name && { name }) });
  const agent = await signInWithPassword(server, account.email!);
  await agent.get('/backend/courses');
  return { id: account.id, name: account.name, email: account.email!, agent };
}

export const COURSE_DEFAULTS = { name: 'Algebra 1', plan: 'inactive', summary: 'Numbers, letters and the rules between them.', description: 'Twelve weeks of algebra for first-year students.' } as const;

export interface Picture {
  bytes: Buffer;
  name: string;
  type: string;
}

export async function pngPicture(width = 320, height = 180): Promise<Picture> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 30, g: 110, b: 190 } } }).png().toBuffer();
  return { bytes, name: 'course.png', type: 'image/png' };
}

/** A real JPEG of the recommended size, padded after its end marker to exactly `bytes` bytes. */
export async function jpegPictureOfSize(bytes: number): Promise<Picture> {
  const jpeg = await sharp({ create: { width: 2560, height: 1440, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg({ quality: 80 }).toBuffer();
  return { bytes: Buffer.concat([jpeg, Buffer.alloc(bytes - jpeg.length)]), name: 'big.jpg', type: 'image/jpeg' };
}

/** The course form as a browser sends it. */
export function courseForm(fields: Record<string, string | string[] | number> = {}, picture?: Picture): FormData {
  const form = new FormData();
  if (picture) form.append('image', new Blob([new Uint8Array(picture.bytes)], { type: picture.type }), picture.name);
  else form.append('image', new Blob([], { type: 'application/octet-stream' }), '');
  for (const [key, value] of Object.entries({ ...COURSE_DEFAULTS, ...fields })) {
    for (const item of [value].flat()) form.append(key, String(item));
  }
  return form;
}

/** Creates a course through the form, answering its id. */
export async function createCourse(agent: TestAgent, fields: Record<string, string | string[] | number> = {}, picture?: Picture): Promise<string> {
  const response = await agent.postMultipart('/backend/courses', courseForm(fields, picture));
  if (response.status !== 303) throw new Error(`creating a course answered ${response.status}: ${response.text.slice(0, 300)}`);
  return response.location!.split('/')[3]!.split('?')[0]!;
}

/** The course as JSON, for the person behind the agent. */
export async function courseAs(agent: TestAgent, id: string): Promise<AgentResponse> {
  return agent.get(`/backend/courses/${id}`, { accept: 'application/json' });
}

/** Saves a change of a course through the edit form, on the version the course has now. */
export async function editCourse(agent: TestAgent, id: string, fields: Record<string, string | string[] | number>, picture?: Picture, { accept = 'text/html' } = {}): Promise<AgentResponse> {
  const current = (await courseAs(agent, id)).json();
  const form = courseForm({ name: current.name, summary: current.summary ?? '', description: current.description ?? '', plan: current.plan?.id ?? '', version: current.version, ...fields }, picture);
  return agent.postMultipart(`/backend/courses/${id}`, form, { accept });
}

export async function setLicences(agent: TestAgent, licences: Record<string, number>): Promise<AgentResponse> {
  const form: Record<string, string> = {};
  for (const [plan, count] of Object.entries(licences)) form[`licences[${plan}]`] = String(count);
  return agent.post('/backend/courses/licences', form);
}

/** Names of the files in a folder of the data folder (none when it does not exist). */
export function filesIn(server: TestServer, ...folder: string[]): string[] {
  const dir = path.join(server.dataDir, ...folder);
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

export async function courseRows(server: TestServer) {
  return server.db.selectFrom('rooms').selectAll().where('kind', '=', 'course').execute();
}
