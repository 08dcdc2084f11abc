/**
 * The pages a signed-out person sees (sign-in, password reset, accepting an
 * invitation, a broken invitation link) on a laptop-sized window: a centred
 * form of a readable width, not the menu's narrow column on the left.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createBackendAccount } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';
import { MailCatcher } from '../support/mail-catcher.ts';
import { inviteFields, signedInAdministrator, uniqueEmail } from '../support/users-fixtures.ts';

const VIEWPORT = { width: 1366, height: 768 };

/** The page's form block: where it sits across the window and how wide it is. */
async function formBlock(page: Page) {
  return page.locator('.narrow-form').evaluate((block) => {
    const box = block.getBoundingClientRect();
    const form = block.querySelector('form')?.getBoundingClientRect() ?? box;
    return { centre: box.left + box.width / 2, width: box.width, formWidth: form.width, pageWidth: document.documentElement.clientWidth };
  });
}

describe('signed-out pages in a browser at 1366×768', function () {
  let mail: MailCatcher;
  before(async () => {
    mail = await MailCatcher.start();
  });
  after(async () => {
    await mail?.stop();
  });
  const suite = useBrowserSuite({ server: () => ({ config: { mail: { smtpUrl: mail.smtpUrl } } }) });
  const { session } = suite.sessions;

  async function expectCentredReadableForm(path: string, what: string) {
    const page = session.page;
    await page.setViewportSize(VIEWPORT);
    const response = await page.goto(`${suite.server.url}${path}`);
    expect(response?.status(), what).to.be.oneOf([200, 404, 410]);
    const block = await formBlock(page);
    expect(Math.abs(block.centre - block.pageWidth / 2), `${what}: centred`).to.be.below(4);
    expect(block.width, `${what}: block width`).to.be.at.least(320);
    expect(block.formWidth, `${what}: form width`).to.be.at.least(320);
    expect(block.width, `${what}: a readable line`).to.be.at.most(720);
  }

  it('shows the sign-in and the password-reset request as a centred form', async () => {
    await expectCentredReadableForm('/login', 'sign-in');
    await expectCentredReadableForm('/password-reset', 'password-reset request');
  });

  it('shows choosing a new password from a reset mail as a centred form', async () => {
    const account = await createBackendAccount(suite.server, { name: 'Rita Reset', email: uniqueEmail('reset') });
    const agent = suite.server.agent();
    await agent.get('/password-reset');
    await agent.post('/password-reset', { email: account.email! });
    const path = MailCatcher.linkIn(await mail.next(account.email!), '/password-reset/');
    await expectCentredReadableForm(path, 'new password');
  });

  it('shows accepting an invitation, and a broken invitation link, centred', async () => {
    const { agent } = await signedInAdministrator(suite.server);
    const email = uniqueEmail('invited');
    await agent.get('/backend/users/invite');
    expect((await agent.post('/backend/users/invite', inviteFields([{ name: 'Ivy Invited', email, role: 'student' }]))).status).to.equal(201);
    await expectCentredReadableForm(MailCatcher.linkIn(await mail.next(email), '/invitations/'), 'accept an invitation');
    await expectCentredReadableForm('/invitations/not-a-real-invitation-token-at-all-000000000', 'invitation error');
  });
});
