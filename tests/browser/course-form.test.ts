/**
 * The course form in Chromium, through its real fields: the member picker
 * (search as you type, a few people at a time), the picture's preview, and
 * what a failed save says about the picture and leaves in the address bar.
 * At a laptop's 1366×768 and a phone's 390×844, in English and French.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';

const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 390, height: 844 },
];

describe('the course form in a browser', function () {
  const suite = useBrowserSuite();
  const { session } = suite.sessions;

  async function signIn(page: Page, email: string) {
    await page.goto(`${suite.server.url}/login`);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Courses' }).waitFor();
  }

  for (const viewport of VIEWPORTS) {
    it(`adds members by searching as one types, and creates the course with them, at ${viewport.width}×${viewport.height}`, async function () {
      this.timeout(40_000);
      const admin = await createBackendAccount(suite.server, { role: 'administrator', name: 'Ada Admin' });
      // Addresses without digits, so that a number typed finds names only.
      const letters = (index: number) => String.fromCharCode(97 + (index % 26), 97 + Math.floor(index / 26));
      const size = viewport.width > 500 ? 'wide' : 'narrow';
      for (let index = 0; index < 45; index += 1) await createBackendAccount(suite.server, { role: 'student', name: `Pupil ${index} ${size}`, email: `pupil-${letters(index)}-${size}@school.test`, status: 'invited' });
      const page = session.page;
      await page.setViewportSize(viewport);
      await signIn(page, admin.email!);
      await page.goto(`${suite.server.url}/backend/courses/new`);
      expect(await page.locator('select[name="member"]').count()).to.equal(0);

      const search = page.getByLabel('Find a person to add');
      await search.pressSequentially(`pupil 4 ${size}`);
      const options = page.getByRole('listbox', { name: 'People found' }).getByRole('option');
      await options.first().waitFor();
      // Pupil 4, 14, 24, 34 and 40 to 44, sorted by name: 14, 24, 34, 4, 40…
      expect(await options.allInnerTexts()).to.have.length(9);
      await search.press('ArrowDown');
      await search.press('ArrowDown');
      await search.press('Enter');
      await page.getByRole('status').filter({ hasText: `Pupil 24 ${size} added as a student.` }).waitFor();
      await search.fill(`pupil 42 ${size}`);
      await page.getByRole('listbox', { name: 'People found' }).getByRole('option', { name: `Pupil 42 ${size}` }).click();
      await page.getByLabel(`Role of Pupil 42 ${size} in this course`).selectOption({ label: 'Instructor' });

      await page.getByLabel('Course name').fill('Searched course');
      await page.getByLabel('Summary').fill('Made with the member picker.');
      await page.getByLabel('Description').fill('Two members, found by name.');
      await page.getByRole('button', { name: 'Create the course' }).click();
      await page.getByText('The course was created.').waitFor();
      const members = await page.locator('[data-member]').allInnerTexts();
      expect(members.join(' | ')).to.contain('Pupil 24').and.contain('Pupil 42');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).to.equal(true);
      expect(session.pageErrors).to.deep.equal([]);
    });
  }

  it('previews the picture chosen, and after a failed save says to choose it again, with no token in the address, in French', async function () {
    this.timeout(30_000);
    const admin = await createBackendAccount(suite.server, { role: 'administrator', name: 'Ada Admin' });
    const page = session.page;
    await page.setViewportSize(VIEWPORTS[1]!);
    await signIn(page, admin.email!);
    await page.goto(`${suite.server.url}/backend/profile`);
    await page.getByLabel('Language', { exact: true }).selectOption('fr');
    await page.getByRole('button', { name: 'Save name and language' }).click();
    await page.getByLabel('Langue', { exact: true }).waitFor();
    await page.goto(`${suite.server.url}/backend/courses/new`);

    const picture = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#2a6f97' } }).png().toBuffer();
    await page.getByLabel('Image du cours').setInputFiles({ name: 'course.png', mimeType: 'image/png', buffer: picture });
    const preview = page.locator('#course-image-preview');
    await preview.waitFor();
    expect(await preview.evaluate((image: HTMLImageElement) => image.src.startsWith('data:image/png'))).to.equal(true);

    // No name: the save fails, and the picture cannot come back with the page.
    await page.getByLabel('Résumé').fill('Un résumé');
    await page.getByRole('button', { name: 'Créer le cours' }).click();
    await page.getByText("L'image choisie n'a pas été enregistrée").waitFor();
    expect(page.url()).not.to.contain('_csrf');
    expect(page.url()).to.equal(`${suite.server.url}/backend/courses`);
    expect(await page.getByLabel('Résumé').inputValue()).to.equal('Un résumé');
    expect(session.pageErrors).to.deep.equal([]);
  });
});
