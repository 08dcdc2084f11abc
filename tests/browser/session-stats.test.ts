/**
 * Session Stats in Chromium, as an instructor uses it: open Session Stats from
 * the menu, pick Last 7 days, open a session of their course, read its
 * attendance and chat, and download its attendance as CSV.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';
import { backendPerson, createCourse, setLicences } from '../support/courses.ts';

describe('Session Stats in a browser', function () {
  const suite = useBrowserSuite({ sessions: ['instructor'] });
  const { instructor } = suite.sessions;

  it('takes an instructor from the menu to a session\'s attendance, chat and CSV file', async function () {
    this.timeout(45_000);
    const server = suite.server;
    const admin = await backendPerson(server, 'administrator');
    const teacher = await createBackendAccount(server, { role: 'instructor', name: 'Ines Instructor' });
    const student = await createBackendAccount(server, { role: 'student', name: 'Élodie Student' });
    await setLicences(admin.agent, { smart_15: 1 });
    const courseId = await createCourse(admin.agent, { name: 'Optics', plan: 'smart_15', membersShown: '1', member: [`instructor:${teacher.id}`, `student:${student.id}`] });
    // A session two days ago, as the live room records one.
    const sessionId = randomUUID();
    const startedAt = Date.now() - 2 * 86_400_000;
    const endedAt = startedAt + 3600_000;
    await server.db.insertInto('live_sessions').values({ id: sessionId, room_id: courseId, started_by: teacher.id, started_at: startedAt, ended_at: endedAt, ended_by: teacher.id, end_reason: 'ended-by-instructor' }).execute();
    for (const [person, role] of [[teacher, 'instructor'], [student, 'participant']] as const) {
      await server.db.insertInto('attendance').values({ id: randomUUID(), live_session_id: sessionId, room_id: courseId, user_id: person.id, user_name: person.name, user_email: person.email, role, joined_at: startedAt, left_at: endedAt, last_seen_at: endedAt }).execute();
    }
    await server.db.insertInto('chat_messages').values({ id: randomUUID(), live_session_id: sessionId, room_id: courseId, user_id: student.id, user_name: student.name, role: 'participant', text: 'Is the lens convex?', sent_at: startedAt + 60_000, deleted_at: null, deleted_by: null }).execute();

    const page = instructor.page;
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email address').fill(teacher.email!);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Courses' }).waitFor();

    await page.getByRole('link', { name: 'Session Stats' }).click();
    await page.getByRole('heading', { level: 1, name: 'Session Stats' }).waitFor();
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.waitForURL(/range=7d/);
    await page.getByRole('link', { name: 'Optics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Optics' }).waitFor();

    const row = page.locator(`tr[data-user-id="${student.id}"]`);
    expect(await row.locator('th').textContent()).to.equal('Élodie Student');
    expect((await row.locator('[data-col="duration"]').textContent())!.trim()).to.equal('1:00:00');
    expect((await row.locator('.status').textContent())!.trim()).to.equal('Present');
    await page.getByText('Is the lens convex?').waitFor();
    await page.locator('svg[data-timeline]').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download attendance (CSV)' }).click()]);
    expect(download.suggestedFilename()).to.match(/^session-\d{4}-\d{2}-\d{2}-attendance\.csv$/);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(file.toString('utf8')).to.contain('Élodie Student').and.contain('Present').and.contain('3600,1:00:00');
    expect(instructor.pageErrors).to.deep.equal([]);
  });
});
