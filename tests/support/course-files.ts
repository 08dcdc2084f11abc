/**
 * Builders for course-file tests: a course straight in the room model, people
 * with a role in it signed in, and uploads as the files page sends them.
 */
import { randomUUID } from 'node:crypto';
import { createCourseMemberStore, type CourseRole } from '../../src/courses/course-member-store.ts';
import type { BackendRole } from '../../src/backend/backend-roles.ts';
import { createBackendAccount, signInWithPassword } from './backend-accounts.ts';
import type { TestServer } from './test-server.ts';
import type { TestAgent } from './test-agent.ts';

export function courseFileBuilders(get: () => TestServer) {
  async function course({ plan = 'smart_15', name }: { plan?: string; name?: string } = {}): Promise<string> {
    const id = randomUUID();
    const now = Date.now();
    await get()
      .db.insertInto('rooms')
      .values({ id, kind: 'course', name: name ?? `Course ${id.slice(0, 6)}`, channel_id: null, owner_user_id: null, capacity: null, created_at: now, updated_at: now, summary: 'A course', description: 'About it', plan_id: plan, plan_limits: null, image_id: null, updated_by: null })
      .execute();
    return id;
  }

  async function person(role: BackendRole, membership?: { courseId: string; as: CourseRole }, name?: string): Promise<TestAgent & { userId: string }> {
    const account = await createBackendAccount(get(), { role, name });
    if (membership) await createCourseMemberStore(get().db).put({ roomId: membership.courseId, userId: account.id, role: membership.as, source: 'backend', addedAt: Date.now() });
    const agent = await signInWithPassword(get(), account.email!);
    // A page read after signing in gives the CSRF token bound to the new session.
    await agent.get('/login');
    return Object.assign(agent, { userId: account.id });
  }

  return { course, person };
}

export function uploadFiles(agent: TestAgent, courseId: string, folderId: string | null, files: Array<[string, string | Buffer]>, options: { csrf?: boolean; accept?: string; headers?: Record<string, string> } = {}) {
  const form = new FormData();
  for (const [name, content] of files) form.append('files', new Blob([new Uint8Array(typeof content === 'string' ? Buffer.from(content) : content)]), name);
  return agent.postMultipart(`/backend/courses/${courseId}/files/upload${folderId ? `?folder=${folderId}` : ''}`, form, { accept: options.accept ?? 'application/json', csrf: options.csrf, headers: options.headers });
}
