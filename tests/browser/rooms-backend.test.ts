/**
 * The rooms backend end to end in Chromium: an administrator creates a course
 * with a picture and invites an instructor to it; the instructor follows the
 * link from the mail the service really sent (a real SMTP server on
 * loopback), chooses a password, signs in, makes a folder in the course,
 * uploads a file into it and sees it listed.
 */
import { expect } from 'chai';
import sharp from 'sharp';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';
import { MailCatcher } from '../support/mail-catcher.ts';

describe('rooms backend in a browser', function () {
  let mail: MailCatcher;
  // Before the suite's own hooks: the server sends its mail here.
  before(async () => {
    mail = await MailCatcher.start();
  });
  after(async () => {
    await mail?.stop();
  });
  const suite = useBrowserSuite({ server: () => ({ config: { mail: { smtpUrl: mail.smtpUrl } } }), sessions: ['admin', 'instructor'] });
  const { admin, instructor } = suite.sessions;

  it('takes a course from creation to an invited instructor uploading its first file', async function () {
    this.timeout(45_000);
    const administrator = await createBackendAccount(suite.server, { role: 'administrator', name: 'Ada Admin' });
    const page = admin.page;

    await page.goto(`${suite.server.url}/login`);
    await page.getByLabel('Email address').fill(administrator.email!);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Courses' }).waitFor();

    await page.getByRole('link', { name: '+ Add new course' }).click();
    const picture = await sharp({ create: { width: 2560, height: 1440, channels: 3, background: '#2a6f97' } }).jpeg().toBuffer();
    await page.getByLabel('Course picture').setInputFiles({ name: 'algebra.jpg', mimeType: 'image/jpeg', buffer: picture });
    await page.getByLabel('Course name').fill('Algebra for beginners');
    await page.getByLabel('Summary').fill('Numbers, letters and the rules between them.');
    await page.getByLabel('Description').fill('Twelve weeks of algebra, from equations to functions.');
    await page.getByRole('button', { name: 'Create the course' }).click();
    await page.getByText('The course was created.').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Algebra for beginners' }).waitFor();
    const cardImage = page.locator('img.course__image');
    await cardImage.waitFor();
    expect(await cardImage.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).to.equal(640);

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('link', { name: /Invite/ }).first().click();
    await page.locator('#invite-0-name').fill('Ivan Instructor');
    await page.locator('#invite-0-email').fill('ivan@school.test');
    await page.locator('#invite-0-role').selectOption('instructor');
    await page.getByLabel('Algebra for beginners').first().check();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByText('The invitation is sent.').waitFor();

    const invitation = await mail.next('ivan@school.test');
    expect(invitation.html).to.contain('Algebra for beginners');
    const link = MailCatcher.linkIn(invitation, '/invitations/');

    const other = instructor.page;
    await other.goto(`${suite.server.url}${link}`);
    await other.getByLabel('New password', { exact: true }).fill('my own long password');
    await other.getByLabel('Repeat the new password').fill('my own long password');
    await other.getByRole('button', { name: 'Save the password' }).click();
    await other.getByText('Your account is ready.').waitFor();
    await other.getByLabel('Email address').fill('ivan@school.test');
    await other.getByLabel('Password', { exact: true }).fill('my own long password');
    await other.getByRole('button', { name: 'Sign in' }).click();

    await other.getByRole('link', { name: /Algebra for beginners/ }).first().click();
    await other.getByRole('link', { name: 'Files', exact: true }).last().click();
    await other.getByLabel('Folder name').fill('Week 1');
    await other.getByRole('button', { name: 'Create folder' }).click();
    await other.getByText('The folder was created.').waitFor();
    await other.getByRole('link', { name: 'Week 1', exact: true }).click();
    await other.getByRole('heading', { level: 1, name: 'Week 1' }).waitFor();
    await other.getByLabel('Files', { exact: true }).setInputFiles({ name: 'syllabus.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 syllabus') });
    await other.getByRole('button', { name: 'Upload' }).click();
    await other.getByText('1 file was uploaded.').waitFor();
    await other.getByRole('link', { name: /syllabus\.pdf/ }).first().waitFor();

    expect(admin.pageErrors).to.deep.equal([]);
    expect(instructor.pageErrors).to.deep.equal([]);
  });
});
