/**
 * What people do in MediaSpace, in a real browser: the demo portal (the
 * stand-in MediaSpace, backed by the built-in Kaltura emulator and its demo
 * fixture) loads the module's snippet, which puts the channel's meeting
 * actions in an iframe and Live Rooms links in the header menu.
 */
import { expect } from 'chai';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { ROOM_PERMISSIONS } from '../../src/rooms/room-permissions.ts';
import { readLocales } from '../../src/lib/i18n/i18n.ts';

/** The permissions' names in English, as the room lists them. */
const PERMISSION_LABELS = (readLocales().en.rooms as { permissions: Record<string, string> }).permissions;

const ROOM_PATH = /\/rooms\/[0-9a-f-]{36}$/;

describe('MediaSpace flows in a browser', function () {
  const suite = useBrowserSuite({ server: { settings: { enabled: true, enableUserPrivateLiveRoom: true } } });
  const { session } = suite.sessions;
  let page: Page;

  beforeEach(() => {
    page = session.page;
  });

  /** The demo portal's start page, "Sign in as …", and on through /launch to the user's channels. */
  async function signInAs(name: string): Promise<void> {
    await page.goto(`${suite.server.url}/`);
    await page.getByRole('button', { name: `Sign in as ${name}`, exact: true }).click();
    await page.waitForURL('**/demo/portal');
    await page.getByRole('heading', { name: 'My channels' }).waitFor();
    expect(await page.locator('.portal__bar p').first().innerText()).to.contain(`Signed in to the demo portal as ${name}`);
  }

  function channelCard(channelName: string): Locator {
    return page.locator('li.channel').filter({ has: page.getByRole('heading', { name: channelName, exact: true }) });
  }

  function meetingFrame(channelName: string): { iframe: Locator; frame: FrameLocator } {
    const iframe = channelCard(channelName).locator('iframe.live-rooms-frame');
    return { iframe, frame: iframe.contentFrame() };
  }

  /** The header-menu links the snippet added, once it has asked Live Rooms which ones this person gets. */
  async function headerMenuLinks(): Promise<string[]> {
    const menu = page.locator('[data-live-rooms="header-menu"][data-live-rooms-ready="yes"]');
    await menu.waitFor({ state: 'attached' });
    return (await menu.getByRole('link').allInnerTexts()).map((text) => text.trim());
  }

  /** Waits for the snippet to enlarge the iframe into a room, and answers its height in CSS pixels. */
  async function roomFrameHeight(iframe: Locator): Promise<number> {
    const handle = await iframe.elementHandle();
    const grown = await page.waitForFunction((element) => element !== null && element.getBoundingClientRect().height > 300, handle).then(
      () => true,
      () => false,
    );
    const height = (await iframe.boundingBox())?.height ?? 0;
    if (!grown) expect.fail(`the meeting iframe did not grow into the room: it is still ${height} px tall`);
    return height;
  }

  async function permissionsShown(room: Page | FrameLocator): Promise<string[]> {
    // The list is folded away (a closed <details>): its words, not what is on screen.
    return (await room.locator('[data-room-permissions] li').allTextContents()).map((text) => text.trim());
  }

  it('lets a channel Manager start the channel meeting and enter it as instructor, inside the page', async () => {
    await signInAs('Maria Manager');
    expect(await channelCard('Physics 101').innerText()).to.contain('Your channel role: manager');
    const { iframe, frame } = meetingFrame('Physics 101');

    await frame.getByRole('button', { name: 'Start Meeting' }).click();

    const title = frame.locator('#room-title');
    await title.waitFor();
    expect((await title.innerText()).trim()).to.equal('Physics 101');
    expect(await frame.locator('[data-room-role]').getAttribute('data-room-role')).to.equal('instructor');
    expect((await frame.locator('[data-room-role]').innerText()).trim()).to.equal('Instructor');
    expect(await frame.locator('[data-room-user]').innerText()).to.contain('Maria Manager');
    // The room script sets the state once the room socket's welcome arrives.
    await frame.locator('[data-room-state="live"]').waitFor();
    expect(await permissionsShown(frame)).to.include('Start the session');
    expect(await roomFrameHeight(iframe)).to.be.greaterThan(300);
    // The portal stays where it was: the room opened within the page.
    expect(new URL(page.url()).pathname).to.equal('/demo/portal');
    expect(session.pageErrors).to.deep.equal([]);
  });

  for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
    it(`fits the room to a ${viewport.width}×${viewport.height} window inside the page, its dialogs in view, and Leave leads back to the channel`, async function () {
      // A room opened, a dialog, a leave and the channel again: more steps than most tests here.
      this.timeout(60_000);
      await page.setViewportSize(viewport);
      await signInAs('Maria Manager');
      const { iframe, frame } = meetingFrame('Physics 101');
      await frame.getByRole('button', { name: /^(Start|Join) Meeting$/ }).click();
      await frame.locator('[data-room-state="live"]').waitFor();
      // As tall as the window and scrolled to its top: the whole room is on screen.
      const fitted = await page
        .waitForFunction(
          ({ element, height }) => {
            const box = element!.getBoundingClientRect();
            return Math.abs(box.height - height) <= 2 && Math.abs(box.top) <= 2;
          },
          { element: await iframe.elementHandle(), height: viewport.height },
        )
        .then(() => true, () => false);
      if (!fitted) expect.fail(`the room's frame is not fitted to the window: ${JSON.stringify(await iframe.evaluate((element) => element.getBoundingClientRect()))}`);
      await frame.getByRole('button', { name: 'Full screen' }).waitFor();

      // The End session confirmation shows within the window.
      await frame.getByRole('button', { name: 'End session' }).click();
      const dialog = frame.getByRole('dialog', { name: 'End the session for everyone?' });
      await dialog.waitFor();
      const box = (await dialog.boundingBox())!;
      expect(box.y).to.be.at.least(0);
      expect(box.y + box.height).to.be.at.most(viewport.height);
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // Leave, then back to the channel's actions, and the frame takes their size again.
      await frame.getByRole('button', { name: 'Leave' }).click();
      await frame.getByRole('link', { name: 'Back to the channel' }).click();
      await frame.getByRole('button', { name: 'Join Meeting' }).waitFor();
      expect(await frame.locator('[data-ends-in]').innerText()).to.contain('Live, no instructor: ends in');
      await page.waitForFunction((element) => element!.getBoundingClientRect().height < 300, await iframe.elementHandle());
      expect(session.pageErrors).to.deep.equal([]);
    });
  }

  it('lets a channel Member join the meeting as participant, and never offers her Start Meeting', async () => {
    await signInAs('Mel Member');
    const { iframe, frame } = meetingFrame('Physics 101');
    const join = frame.getByRole('button', { name: 'Join Meeting' });
    await join.waitFor();
    expect(await frame.getByRole('button', { name: 'Start Meeting' }).count()).to.equal(0);

    await join.click();

    const title = frame.locator('#room-title');
    await title.waitFor();
    expect((await title.innerText()).trim()).to.equal('Physics 101');
    expect(await frame.locator('[data-room-role]').getAttribute('data-room-role')).to.equal('participant');
    expect((await frame.locator('[data-room-role]').innerText()).trim()).to.equal('Participant');
    expect(await frame.locator('[data-room-user]').innerText()).to.contain('Mel Member');
    const permissions = await permissionsShown(frame);
    expect(permissions).to.include('Chat');
    expect(permissions).to.not.include('Start the session');
    expect(permissions).to.not.include('Remove participants');
    expect(await roomFrameHeight(iframe)).to.be.greaterThan(300);
    expect(session.pageErrors).to.deep.equal([]);
  });

  it('lets a Private Only user (role in legacy partnerData) create a room in My Rooms and enter it as instructor with every permission', async () => {
    await signInAs('Priya Private');
    expect(await headerMenuLinks()).to.deep.equal(['My Rooms']);

    await page.locator('[data-live-rooms="header-menu"]').getByRole('link', { name: 'My Rooms' }).click();
    await page.waitForURL('**/my-rooms');
    await page.getByRole('heading', { name: 'My Rooms', level: 1 }).waitFor();
    expect(await page.locator('.empty').innerText()).to.contain('You have no rooms yet');

    await page.locator('#room-name').fill('Office hours');
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.waitForURL(/\/my-rooms\?created=/);
    const launch = page.getByRole('button', { name: 'Launch Office hours' });
    await launch.waitFor();
    expect((await launch.innerText()).trim()).to.equal('Office hours');
    expect((await page.locator('#rooms-title').innerText()).replace(/\s+/g, ' ')).to.equal('Your rooms (1)');

    // An invitation link to share: made on My Rooms, shown there and in the room.
    await page.getByRole('button', { name: 'Create an invitation link for Office hours' }).click();
    const link = page.getByRole('textbox', { name: 'Invitation link' });
    await link.waitFor();
    const invitation = await link.inputValue();
    expect(invitation).to.match(/\/room-invitations\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await page.getByRole('button', { name: 'Make a new invitation link for Office hours (the current one stops working)' }).waitFor();

    await launch.click();
    await page.waitForURL(ROOM_PATH);
    expect((await page.locator('#room-title').innerText()).trim()).to.equal('Office hours');
    expect((await page.locator('.room__kind').textContent())?.trim()).to.equal('Private room');
    expect(await page.locator('[data-room-role]').getAttribute('data-room-role')).to.equal('instructor');
    expect(await page.locator('[data-room-user]').innerText()).to.contain('Priya Private');
    expect(await permissionsShown(page)).to.deep.equal(ROOM_PERMISSIONS.map((permission) => PERMISSION_LABELS[permission]));
    expect(await page.locator('[data-invitation-url]').inputValue()).to.equal(invitation);
    // A way back to My Rooms from the room.
    await page.locator('[data-back-to-my-rooms]').click();
    await page.waitForURL('**/my-rooms');
    expect(session.pageErrors).to.deep.equal([]);
  });

  it('shows a viewer who is in no channel (only a pending request) neither channel buttons nor My Rooms', async () => {
    await signInAs('Vic Viewer');
    await page.getByText('You are not a member of any channel.').waitFor();
    expect(await page.locator('li.channel').count()).to.equal(0);
    expect(await page.locator('[data-live-rooms="channel-buttons"]').count()).to.equal(0);
    expect(await page.locator('iframe.live-rooms-frame').count()).to.equal(0);
    expect(await headerMenuLinks()).to.deep.equal([]);
    expect(session.pageErrors).to.deep.equal([]);
  });

  it('gives an administrator the Live Rooms settings link, which opens the settings page', async () => {
    await signInAs('Ada Admin');
    expect(await headerMenuLinks()).to.deep.equal(['My Rooms', 'Live Rooms settings']);

    await page.locator('[data-live-rooms="header-menu"]').getByRole('link', { name: 'Live Rooms settings' }).click();
    await page.waitForURL('**/admin/module');
    await page.getByRole('heading', { name: 'Live Rooms module settings', level: 1 }).waitFor();
    expect(await page.locator('#enabled').isChecked()).to.equal(true);
    expect(await page.locator('#enableUserPrivateLiveRoom').isChecked()).to.equal(true);
    expect(await page.getByRole('button', { name: 'Save settings' }).isVisible()).to.equal(true);
    expect(await page.getByRole('navigation', { name: 'Live Rooms' }).getByRole('link', { name: 'Module settings' }).count()).to.equal(1);
    expect(session.pageErrors).to.deep.equal([]);
  });
});
