/**
 * Course files in a real browser: an instructor makes a folder, uploads two
 * files with the progress bar (XMLHttpRequest, CSRF header), sees them listed,
 * and deletes one after confirming; without JavaScript the plain form does
 * the same.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createCourseMemberStore } from '../../src/courses/course-member-store.ts';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';

describe('course files in a browser', function () {
  const suite = useBrowserSuite({ server: { config: { uploads: { maxFileMegabytes: 1 } } } });
  const { session } = suite.sessions;
  const { consoleErrors } = suite;

  /** A course with this instructor in it, signed in through /login. */
  async function instructorInCourse(page: Page): Promise<string> {
    const courseId = randomUUID();
    const now = Date.now();
    await suite.server.db
      .insertInto('rooms')
      .values({ id: courseId, kind: 'course', name: 'Browser course', channel_id: null, owner_user_id: null, capacity: null, created_at: now, updated_at: now, summary: 's', description: 'd', plan_id: 'smart_15', plan_limits: null, image_id: null, updated_by: null })
      .execute();
    const account = await createBackendAccount(suite.server, { role: 'instructor', name: 'Bea Browser' });
    await createCourseMemberStore(suite.server.db).put({ roomId: courseId, userId: account.id, role: 'instructor', source: 'backend', addedAt: now });
    await page.goto(`${suite.server.url}/login`);
    await page.getByLabel('Email address').fill(account.email!);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/backend\//);
    return courseId;
  }

  it('makes a folder, uploads two files with a progress bar, lists them and deletes one after confirming', async () => {
    const page = session.page;
    const courseId = await instructorInCourse(page);
    await page.goto(`${suite.server.url}/backend/courses/${courseId}/files`);
    await page.getByLabel('Folder name').fill('Week 1');
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.getByText('The folder was created.').waitFor();
    await page.getByRole('link', { name: 'Week 1', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Week 1' }).waitFor();

    const sent: Array<string | null> = [];
    page.on('request', (request) => {
      if (request.url().includes('/files/upload')) sent.push(request.headers()['x-csrf-token'] ?? null);
    });
    await page.getByLabel('Files', { exact: true }).setInputFiles([
      { name: 'slides.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(300_000, 1) },
      { name: 'Übung 1.txt', mimeType: 'text/plain', buffer: Buffer.from('Aufgabe') },
    ]);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('2 files were uploaded.').waitFor();
    expect(sent).to.have.length(1);
    expect(sent[0]).to.be.a('string').and.not.equal('');
    expect(await page.locator('progress').count()).to.equal(1);
    const rows = page.locator('tbody tr[data-file-id] th');
    expect(await rows.allTextContents()).to.deep.equal(['slides.pdf', 'Übung 1.txt']);
    expect(page.url()).to.contain('folder=');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete Übung 1.txt' }).click();
    await page.getByText('The file was deleted.').waitFor();
    expect(await rows.allTextContents()).to.deep.equal(['slides.pdf']);
    expect(consoleErrors).to.deep.equal([]);
  });

  it('says what the limit is when a file is too large, uploads nothing and lets the person try again', async () => {
    const page = session.page;
    const courseId = await instructorInCourse(page);
    await page.goto(`${suite.server.url}/backend/courses/${courseId}/files`);
    await page.getByLabel('Files', { exact: true }).setInputFiles([
      { name: 'fine.txt', mimeType: 'text/plain', buffer: Buffer.from('fine') },
      { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1024 * 1024 + 1) },
    ]);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('A file is larger than the limit of 1 MB. Nothing was uploaded.').waitFor();
    expect(await page.getByRole('button', { name: 'Upload' }).isEnabled()).to.equal(true);
    expect(await suite.server.db.selectFrom('files').select('id').where('room_id', '=', courseId).execute()).to.deep.equal([]);
    expect(consoleErrors.filter((error) => !error.includes('413'))).to.deep.equal([]);
  });

  it('uploads through the plain form when JavaScript is off', async () => {
    const page = session.page;
    const courseId = await instructorInCourse(page);
    const context = await suite.browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
    try {
      const plain = await context.newPage();
      await plain.goto(`${suite.server.url}/backend/courses/${courseId}/files`);
      await plain.getByLabel('Files', { exact: true }).setInputFiles([{ name: 'plain.txt', mimeType: 'text/plain', buffer: Buffer.from('plain') }]);
      await plain.getByRole('button', { name: 'Upload' }).click();
      await plain.getByText('1 file was uploaded.').waitFor();
      expect(await plain.locator('tbody tr[data-file-id] th').allTextContents()).to.deep.equal(['plain.txt']);
    } finally {
      await context.close();
    }
  });
});
