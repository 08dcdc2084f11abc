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

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|#39|apos);/gi, (entity, code: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (code.toLowerCase() in named) return named[code.toLowerCase()]!;
    return String.fromCodePoint(code[1] === 'x' || code[1] === 'X' ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10));
  });
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s>/])`).exec(tag);
  return match ? decodeEntities(match[1] ?? '') : null;
}

/**
 * Exactly what a browser submits from the page's course form, untouched: inputs,
 * checked boxes, each select's chosen option, textareas, and an empty file field.
 * Tests build on this rather than on a fixed list so a field a role's page lacks
 * is missing from the request too.
 */
export function courseFormOnPage(html: string, changes: Record<string, string> = {}): FormData {
  const start = [...html.matchAll(/<form\b[^>]*>/g)].find(([tag]) => /class="[^"]*\bcourse-form\b/.test(tag))?.index;
  if (start === undefined) throw new Error('the page has no course form');
  const formHtml = html.slice(start, html.indexOf('</form>', start));
  // In the page's order, as a browser sends them (the CSRF token first); null stands for an empty file field.
  const fields: Array<[string, string | null]> = [];
  const form = new FormData();
  for (const [tag] of formHtml.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (!name) continue;
    const from = formHtml.indexOf(tag);
    if (tag.startsWith('<input')) {
      const type = attribute(tag, 'type') ?? 'text';
      if (type === 'file') fields.push([name, null]);
      else if (type !== 'checkbox' || attribute(tag, 'checked') !== null) fields.push([name, attribute(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')]);
    } else if (tag.startsWith('<textarea')) {
      const body = formHtml.slice(from + tag.length, formHtml.indexOf('</textarea>', from));
      fields.push([name, decodeEntities(body)]);
    } else {
      const options = [...formHtml.slice(from, formHtml.indexOf('</select>', from)).matchAll(/<option\b[^>]*>/g)].map(([option]) => option);
      const chosen = options.find((option) => attribute(option, 'selected') !== null) ?? options[0];
      if (chosen) fields.push([name, attribute(chosen, 'value') ?? '']);
    }
  }
  for (const name of Object.keys(changes)) if (!fields.some(([field]) => field === name)) throw new Error(`the page's course form has no field ${name}`);
  for (const [name, value] of fields) {
    if (value === null) form.append(name, new Blob([], { type: 'application/octet-stream' }), '');
    else form.append(name, name in changes ? changes[name]! : value);
  }
  return form;
}
