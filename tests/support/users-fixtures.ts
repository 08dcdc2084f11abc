/**
 * Builders for the users and invitations tests: rooms to give people, a
 * course picture, the invite form's fields, and an administrator signed in
 * with a page read (so the agent holds a CSRF token of its session).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ImageService } from '../../src/images/image-service.ts';
import type { BackendRole } from '../../src/backend/backend-roles.ts';
import { createBackendAccount, signInWithPassword } from './backend-accounts.ts';
import type { TestServer } from './test-server.ts';
import type { TestAgent } from './test-agent.ts';
import { insertRoomRow } from './room-rows.ts';

export async function createRoom(server: TestServer, name: string, { kind = 'course', imageId = null }: { kind?: 'course' | 'channel' | 'private'; imageId?: string | null } = {}): Promise<{ id: string; name: string }> {
  const id = randomUUID();
  await insertRoomRow(server.db, { id, kind, name, image_id: imageId });
  return { id, name };
}

/** A real picture stored the way the course form stores one, with its 'invitation' variant. */
export async function storeCourseImage(server: TestServer): Promise<string> {
  const folder = mkdtempSync(path.join(tmpdir(), 'live-rooms-image-'));
  try {
    const file = path.join(folder, 'course.png');
    await sharp({ create: { width: 320, height: 180, channels: 3, background: '#2a6f97' } }).png().toFile(file);
    const image = await new ImageService(server.db, path.join(server.dataDir, 'images')).store({ path: file, bytes: statSync(file).size }, 'course', 'test', Date.now());
    return image.id;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

export interface InviteRowSpec {
  name?: string;
  email?: string;
  role?: BackendRole | string;
  courses?: string[];
}

/** The invite form's fields for these rows, as a browser sends them. */
export function inviteFields(rows: InviteRowSpec[]): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  rows.forEach((row, index) => {
    fields[`rows[${index}][name]`] = row.name ?? '';
    fields[`rows[${index}][email]`] = row.email ?? '';
    fields[`rows[${index}][role]`] = row.role ?? 'student';
    if (row.courses?.length) fields[`rows[${index}][courses]`] = row.courses;
  });
  return fields;
}

/** A unique address for one test. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@school.test`;
}

/** A backend administrator, signed in, having read a backend page. */
export async function signedInAdministrator(server: TestServer, name = 'Ada Admin'): Promise<{ id: string; name: string; email: string; agent: TestAgent }> {
  const admin = await createBackendAccount(server, { role: 'administrator', name, email: uniqueEmail('admin') });
  const agent = await signInWithPassword(server, admin.email!);
  await agent.get('/backend/users');
  return { id: admin.id, name: admin.name, email: admin.email!, agent };
}
