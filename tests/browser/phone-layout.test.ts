/**
 * Every backend page on a phone (390×844): nothing wider than the screen, so
 * nobody scrolls sideways (tables scroll inside their own box). The pages are
 * filled the way a school fills them: long names and addresses, a course with
 * members, a folder and a file, an invited person. Also at 1366×768, where the
 * module settings' role-mapping table must show its headers whole.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { backendPerson, createCourse, pngPicture } from '../support/courses.ts';
import { uploadFiles } from '../support/course-files.ts';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 768 };

/** How much wider than the window the page is (0 when it fits), and what sticks out. */
async function overflow(page: Page): Promise<{ by: number; widest: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const by = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - width;
    const widest: string[] = [];
    if (by > 0) {
      for (const element of Array.from(document.querySelectorAll('body *'))) {
        const box = element.getBoundingClientRect();
        if (box.right > width + 1 && !element.parentElement?.closest('.table-scroll')) widest.push(`${element.tagName.toLowerCase()}.${String(element.className).split(' ')[0]} ${Math.round(box.right)}`);
      }
    }
    return { by, widest: widest.slice(0, 6) };
  });
}

describe('the backend on a phone', function () {
  const suite = useBrowserSuite({ sessions: ['admin', 'mediaspace'] });
  const { admin, mediaspace } = suite.sessions;

  async function signIn(page: Page, email: string) {
    await page.goto(`${suite.server.url}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
  }

  async function expectFits(page: Page, path: string, viewport = PHONE) {
    await page.setViewportSize(viewport);
    const response = await page.goto(`${suite.server.url}${path}`);
    expect(response?.status(), path).to.be.below(500);
    const { by, widest } = await overflow(page);
    expect(by, `${path} at ${viewport.width} px is ${by} px too wide: ${widest.join(', ')}`).to.be.at.most(0);
  }

  it('fits every page of an administrator at 390 px', async function () {
    this.timeout(60_000);
    const server = suite.server;
    const setup = await backendPerson(server, 'administrator', 'Adelheid Wilhelmina von Administratorenhausen');
    const longEmail = 'bartholomew.featherstonehaugh-cholmondeley@department-of-mathematics.example-school.test';
    const teacher = await createBackendAccount(server, { role: 'instructor', name: 'Bartholomew Featherstonehaugh-Cholmondeley', email: longEmail });
    const invited = await createBackendAccount(server, { role: 'student', name: 'Ines Invited', status: 'invited' });
    const id = await createCourse(setup.agent, { name: 'Introduction to the mathematics of very long course names', plan: 'inactive', membersShown: '1', member: [`instructor:${teacher.id}`, `student:${invited.id}`] }, await pngPicture());
    const folder = (await setup.agent.post(`/backend/courses/${id}/folders`, { name: 'Week 1: equations, inequalities and their graphs', parent: '' }, { accept: 'application/json' })).json().folder;
    const file = (await uploadFiles(setup.agent, id, folder.id, [['a-rather-long-file-name-for-the-syllabus-of-week-one.pdf', '%PDF-1.4 syllabus']])).json().files[0];

    await signIn(admin.page, setup.email);
    for (const path of [
      '/backend/courses',
      '/backend/courses/new',
      `/backend/courses/${id}`,
      `/backend/courses/${id}/edit`,
      `/backend/courses/${id}/delete`,
      '/backend/users',
      '/backend/users/invite',
      '/backend/users/import',
      `/backend/users/${teacher.id}/edit`,
      `/backend/users/${invited.id}/edit`,
      '/backend/files',
      `/backend/courses/${id}/files`,
      `/backend/courses/${id}/files?folder=${folder.id}`,
      `/backend/courses/${id}/files/${file.id}/edit`,
      `/backend/courses/${id}/folders/${folder.id}/edit`,
      `/backend/courses/${id}/folders/${folder.id}/delete`,
      '/backend/branding',
      '/backend/profile',
    ]) {
      await expectFits(admin.page, path);
    }
    // The colour codes are whole in their boxes (they were cut at "#0b5ca").
    for (const viewport of [PHONE, LAPTOP]) {
      await expectFits(admin.page, '/backend/branding', viewport);
      const cut = await admin.page.locator('.colour-field input[type="text"]').evaluateAll((inputs) => inputs.filter((input) => input.scrollWidth > input.clientWidth).length);
      expect(cut, `colour boxes too narrow at ${viewport.width} px`).to.equal(0);
    }
    expect(admin.pageErrors).to.deep.equal([]);
  });

  it('fits the module settings at 390 px, and shows its role-mapping headers whole at 1366 px, in English and French', async function () {
    this.timeout(40_000);
    const page = mediaspace.page;
    await page.goto(`${suite.server.url}/`);
    await page.getByRole('button', { name: 'Sign in as Ada Admin', exact: true }).click();
    await page.waitForURL('**/demo/portal');
    for (const language of ['en', 'fr']) {
      await page.setExtraHTTPHeaders({ 'accept-language': language });
      await expectFits(page, '/admin/module');
      await expectFits(page, '/admin/module', LAPTOP);
      // A header cut off ("Remove participar") is narrower than its text.
      const cut = await page.locator("table th").evaluateAll((cells) => cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1 || cell.scrollHeight > cell.clientHeight + 1).map((cell) => cell.textContent?.trim()));
      expect(cut, `${language}: headers cut off`).to.deep.equal([]);
    }
  });

  it('fits the signed-out pages and the page of someone without a backend role at 390 px', async () => {
    const page = mediaspace.page;
    for (const path of ['/login', '/password-reset']) await expectFits(page, path);
    await page.goto(`${suite.server.url}/`);
    await page.getByRole('button', { name: 'Sign in as Ada Admin', exact: true }).click();
    await page.waitForURL('**/demo/portal');
    await expectFits(page, '/backend/courses');
  });
});
