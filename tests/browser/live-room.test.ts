/**
 * The live room in two browsers at once: the channel's manager (instructor)
 * and a member (participant), each with their own cookies, in one room, as
 * the room page and its script show it to them.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';

const ROOM_PATH = /\/rooms\/[0-9a-f-]{36}$/;
const HOSTILE = '<img src=x onerror=alert(1)> https://example.org/a?b=1';

describe('live room in a browser', function () {
  const suite = useBrowserSuite({ server: { settings: { enabled: true } }, sessions: ['instructor', 'participant'] });
  const { instructor, participant } = suite.sessions;
  const { consoleErrors } = suite;
  /** Any alert, confirm or prompt a page opened: the room uses none, and chat must never cause one. */
  const dialogs: string[] = [];

  beforeEach(() => {
    dialogs.length = 0;
    for (const session of [instructor, participant]) {
      session.page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
    }
  });

  /** A fresh channel with its manager and one member, seeded in the Kaltura emulator. */
  async function channelScene() {
    const channel = await suite.server.kaltura.createChannel(`Seminar ${randomUUID().slice(0, 6)}`);
    const manager = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Pia Participant' });
    await suite.server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await suite.server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    return { channel, manager, member };
  }

  /** Signs in through /launch, as MediaSpace's frame does, and lands on the channel's meeting actions. */
  async function openMeetingActions(page: Page, userId: string, channelId: number): Promise<void> {
    const ks = await suite.server.kaltura.userKs(userId);
    await page.goto(`${suite.server.url}/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(`/channels/${channelId}/meeting`)}`);
    await page.locator('.channel-buttons').waitFor();
  }

  /**
   * The manager goes in without starting the session, with the app's own join (Start Meeting in
   * MediaSpace would start it at once; this test starts it from inside the room).
   */
  async function enterWithoutStarting(page: Page, channelId: number): Promise<void> {
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const response = await page.request.post(`${suite.server.url}/channels/${channelId}/meeting/join`, { form: { _csrf: csrf }, headers: { Accept: 'application/json' } });
    expect(response.status(), await response.text()).to.equal(200);
    const { launchUrl } = (await response.json()) as { launchUrl: string };
    await page.goto(new URL(launchUrl, suite.server.url).href);
    await page.waitForURL(ROOM_PATH);
  }

  function screen(page: Page, name: string): Locator {
    return page.locator(`[data-screen="${name}"]`);
  }

  async function roomState(page: Page, state: string): Promise<void> {
    await page.locator(`[data-room-state="${state}"]`).waitFor({ state: 'attached' });
  }

  function chatMessage(page: Page, text: string): Locator {
    return page.locator('[data-chat-list] li').filter({ hasText: text });
  }

  it('takes a participant from the waiting screen into the session the instructor starts, through chat and a raised hand, to its end', async () => {
    const { channel, manager, member } = await channelScene();
    const teacher = instructor.page;
    const pia = participant.page;

    // The member joins before anyone started: she waits, and the page says so.
    await openMeetingActions(pia, member.id, channel.id);
    await pia.getByRole('button', { name: 'Join Meeting' }).click();
    await pia.waitForURL(ROOM_PATH);
    await screen(pia, 'waiting').waitFor();
    await roomState(pia, 'waiting');
    expect(await screen(pia, 'waiting').innerText()).to.contain('You are the only one waiting.');
    expect(await pia.locator('#chat-text').isDisabled()).to.equal(true);

    // The manager enters: the session has not started, and she sees who waits.
    await openMeetingActions(teacher, manager.id, channel.id);
    await enterWithoutStarting(teacher, channel.id);
    await screen(teacher, 'waiting').waitFor();
    await teacher.locator('[data-waiting-list]').getByText('Pia Participant').waitFor();
    expect((await teacher.locator('[data-waiting-count]').innerText()).trim()).to.equal('(1)');

    // She starts it from the room; the participant is let in without a reload.
    const piaUrl = pia.url();
    await teacher.getByRole('button', { name: 'Start session' }).click();
    await screen(teacher, 'live').waitFor();
    await screen(pia, 'live').waitFor();
    await roomState(pia, 'live');
    expect(pia.url()).to.equal(piaUrl);
    const instructorListed = pia.locator('[data-people-list] li').filter({ hasText: 'Ines Instructor' });
    await instructorListed.waitFor();
    expect(await instructorListed.innerText()).to.contain('Instructor');
    expect(await pia.locator('[data-people-list] li').filter({ hasText: 'Pia Participant' }).innerText()).to.contain('(you)');
    // Instructors may remove participants; participants see no such button.
    await teacher.getByRole('button', { name: 'Remove Pia Participant' }).waitFor();
    expect(await pia.locator('[data-remove]').count()).to.equal(0);
    // What she may do shows through the controls (no Start, no End for her); the permissions are a plain list, folded away.
    expect(await pia.locator('[data-control="start"], [data-control="end"]').count()).to.equal(0);
    const permissions = pia.locator('[data-room-permissions]');
    expect(await permissions.isVisible()).to.equal(false);
    expect(await pia.locator('.room__you button, .room__you [role="button"]').count()).to.equal(0);
    await pia.getByText('What you can do in this room').click();
    await permissions.getByText('Raise hand').waitFor();
    expect(await permissions.evaluate((list) => getComputedStyle(list.querySelector('li')!).borderRadius)).to.equal('0px');

    // Chat both ways: Enter sends, Shift+Enter makes a new line.
    const piaBox = pia.locator('#chat-text');
    await piaBox.fill('Hello from Pia');
    await piaBox.press('Shift+Enter');
    await piaBox.pressSequentially('second line');
    await piaBox.press('Enter');
    const atTeacher = chatMessage(teacher, 'Hello from Pia');
    await atTeacher.waitFor();
    expect(await atTeacher.locator('.chat__text').innerText()).to.equal('Hello from Pia\nsecond line');
    expect(await piaBox.inputValue()).to.equal('');
    await chatMessage(pia, 'Hello from Pia').and(pia.locator('[data-own="true"]')).waitFor();
    expect(await atTeacher.getAttribute('data-own')).to.equal(null);

    await teacher.locator('#chat-text').fill(HOSTILE);
    await teacher.getByRole('button', { name: 'Send' }).click();
    const hostile = chatMessage(pia, 'example.org');
    await hostile.waitFor();
    expect(await hostile.locator('.chat__text').innerText()).to.equal(HOSTILE);
    expect(await pia.locator('[data-chat-list] img').count()).to.equal(0);
    const link = hostile.getByRole('link', { name: 'https://example.org/a?b=1' });
    expect(await link.getAttribute('href')).to.equal('https://example.org/a?b=1');
    expect(await link.getAttribute('target')).to.equal('_blank');
    expect(await link.getAttribute('rel')).to.equal('noopener noreferrer');
    expect(await hostile.getByRole('link').count()).to.equal(1);
    // The instructor may delete messages; the participant may not.
    expect(await chatMessage(teacher, 'example.org').locator('[data-delete]').count()).to.equal(1);
    expect(await pia.locator('[data-delete]').count()).to.equal(0);
    // Deleting says it is done, and its author is told which message went.
    await chatMessage(teacher, 'Hello from Pia').locator('[data-delete]').click();
    await teacher.locator('[data-notice]').getByText('The message was deleted for everyone.').waitFor();
    await pia.locator('[data-notice]').getByText('An instructor deleted your message: “Hello from Pia').waitFor();
    expect(await chatMessage(pia, 'Hello from Pia').count()).to.equal(0);
    await pia.getByRole('button', { name: 'Dismiss' }).click();

    // A raised hand reaches the instructor's queue; she lowers it.
    await pia.getByRole('button', { name: 'Raise hand' }).click();
    await pia.locator('[data-control="hand"][aria-pressed="true"]').waitFor();
    const lower = teacher.locator('[data-hand-queue]').getByRole('button', { name: "Lower Pia Participant's hand" });
    await lower.click();
    await teacher.locator('[data-hands-panel]').waitFor({ state: 'hidden' });
    await pia.locator('[data-control="hand"][aria-pressed="false"]').waitFor();
    expect((await pia.locator('[data-control="hand"]').innerText()).trim()).to.equal('Raise hand');
    // Lowered by someone else: she sees it, not only a screen reader.
    await pia.locator('[data-notice]').getByText('An instructor lowered your hand.').waitFor();

    // Ending asks first, then ends it for both.
    await teacher.getByRole('button', { name: 'End session' }).click();
    const confirm = teacher.getByRole('dialog', { name: 'End the session for everyone?' });
    await confirm.getByRole('button', { name: 'End session' }).click();
    await screen(teacher, 'ended').waitFor();
    await screen(pia, 'ended').waitFor();
    await roomState(pia, 'ended');
    await roomState(teacher, 'ended');
    expect(await screen(pia, 'ended').innerText()).to.contain('An instructor ended it.');
    expect(await pia.locator('#chat-text').isDisabled()).to.equal(true);

    expect(dialogs).to.deep.equal([]);
    expect(consoleErrors).to.deep.equal([]);
    expect(instructor.pageErrors).to.deep.equal([]);
    expect(participant.pageErrors).to.deep.equal([]);
  });

  it('lets instructors admit each person: the participant waits after the start, is told so, and comes in when admitted', async function () {
    this.timeout(60_000);
    const { channel, manager, member } = await channelScene();
    const teacher = instructor.page;
    const pia = participant.page;
    await openMeetingActions(teacher, manager.id, channel.id);
    await enterWithoutStarting(teacher, channel.id);
    await roomState(teacher, 'waiting');
    const setting = teacher.getByRole('checkbox', { name: 'Instructors admit each person' });
    await setting.check();
    await teacher.locator('[data-admission-setting]:checked').waitFor({ state: 'attached' });

    await openMeetingActions(pia, member.id, channel.id);
    await pia.getByRole('button', { name: 'Join Meeting' }).click();
    await pia.waitForURL(ROOM_PATH);
    await screen(pia, 'waiting').getByText('An instructor will let you in.').waitFor();
    expect(await screen(pia, 'waiting').getByText('You will enter automatically.').isVisible()).to.equal(false);

    await teacher.getByRole('button', { name: 'Start session' }).click();
    await screen(teacher, 'live').waitFor();
    // Started, and she still waits: the instructor sees her with Admit and Deny.
    const admit = teacher.getByRole('button', { name: 'Admit Pia Participant' });
    await admit.waitFor();
    await teacher.getByRole('button', { name: 'Deny Pia Participant' }).waitFor();
    await teacher.getByRole('button', { name: 'Admit all' }).waitFor();
    expect(await screen(pia, 'waiting').isVisible()).to.equal(true);

    await admit.click();
    await screen(pia, 'live').waitFor();
    await teacher.locator('[data-people-list] li').filter({ hasText: 'Pia Participant' }).waitFor();
    await teacher.locator('[data-waiting-panel]').waitFor({ state: 'hidden' });
    expect(consoleErrors).to.deep.equal([]);
    expect(participant.pageErrors).to.deep.equal([]);
  });

  it('lets a participant leave and go back in, shows her removal without retrying, and tells someone whose room pass is gone', async () => {
    const { channel, manager, member } = await channelScene();
    const teacher = instructor.page;
    const pia = participant.page;

    // Start Meeting in MediaSpace starts the session; the member joins it.
    await openMeetingActions(teacher, manager.id, channel.id);
    await teacher.getByRole('button', { name: 'Start Meeting' }).click();
    await teacher.waitForURL(ROOM_PATH);
    await roomState(teacher, 'live');
    await openMeetingActions(pia, member.id, channel.id);
    await pia.getByRole('button', { name: 'Join Meeting' }).click();
    await pia.waitForURL(ROOM_PATH);
    await roomState(pia, 'live');

    // Leaving is one click; the way back gets the focus and needs no reload.
    await pia.getByRole('button', { name: 'Leave' }).click();
    await screen(pia, 'left').waitFor();
    await roomState(pia, 'left');
    expect(await pia.evaluate(() => document.activeElement?.textContent?.trim())).to.equal('Go back in');
    await teacher.locator('[data-people-list] li').filter({ hasText: 'Pia Participant' }).waitFor({ state: 'detached' });
    await pia.getByRole('button', { name: 'Go back in' }).click();
    await roomState(pia, 'live');
    await teacher.locator('[data-people-list] li').filter({ hasText: 'Pia Participant' }).waitFor();

    // Removal asks first; the removed page says so and does not try to come back.
    await teacher.getByRole('button', { name: 'Remove Pia Participant' }).click();
    await teacher.getByRole('dialog', { name: 'Remove Pia Participant?' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await screen(pia, 'removed').waitFor();
    await roomState(pia, 'removed');
    expect(await pia.locator('[data-control="leave"]').isVisible()).to.equal(false);
    await teacher.locator('[data-people-list] li').filter({ hasText: 'Pia Participant' }).waitFor({ state: 'detached' });

    // The instructor sees who was removed and can let them back in; the list empties.
    const removedList = teacher.locator('[data-removed-list]');
    await removedList.getByText('Pia Participant').waitFor();
    await teacher.getByRole('button', { name: 'Let Pia Participant back in' }).click();
    await removedList.getByText('Pia Participant').waitFor({ state: 'detached' });
    expect(await teacher.locator('[data-removed-panel]').isHidden()).to.equal(true);

    // Without a room pass the socket is refused (401, which a browser cannot see): the page finds out and stops.
    // (The browser logs the refused upgrade and the 401 on its console; that is expected here.)
    await teacher.getByRole('button', { name: 'Leave' }).click();
    await roomState(teacher, 'left');
    await teacher.context().clearCookies();
    await teacher.getByRole('button', { name: 'Go back in' }).click();
    await screen(teacher, 'closed').waitFor();
    await roomState(teacher, 'closed');
    expect(await screen(teacher, 'closed').innerText()).to.contain('This room link is no longer valid.');

    expect(dialogs).to.deep.equal([]);
    expect(instructor.pageErrors).to.deep.equal([]);
    expect(participant.pageErrors).to.deep.equal([]);
  });

  it('tells a participant who signs out elsewhere in the browser that the room let them go, and does not retry', async () => {
    const { channel, manager, member } = await channelScene();
    const pia = participant.page;
    await openMeetingActions(instructor.page, manager.id, channel.id);
    await instructor.page.getByRole('button', { name: 'Start Meeting' }).click();
    await instructor.page.waitForURL(ROOM_PATH);
    await openMeetingActions(pia, member.id, channel.id);
    const csrf = await pia.locator('input[name="_csrf"]').first().inputValue();
    await pia.getByRole('button', { name: 'Join Meeting' }).click();
    await pia.waitForURL(ROOM_PATH);
    await roomState(pia, 'live');

    // Signing out of the module (another tab, the same cookies) ends the room pass at once.
    const signOut = await pia.request.post(`${suite.server.url}/sign-out`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(signOut.status()).to.equal(303);
    await screen(pia, 'closed').waitFor();
    await roomState(pia, 'closed');
    expect(await screen(pia, 'closed').innerText()).to.contain('You are signed out of this room.').and.contain('Open the room again from MediaSpace.');
    await instructor.page.locator('[data-people-list] li').filter({ hasText: 'Pia Participant' }).waitFor({ state: 'detached' });
    expect(participant.pageErrors).to.deep.equal([]);
  });

  it('closes the oldest of more than five tabs of one person, saying the room is open in the others, and lets it take the room back', async () => {
    const { channel, member } = await channelScene();
    const pia = participant.page;
    await openMeetingActions(pia, member.id, channel.id);
    await pia.getByRole('button', { name: 'Join Meeting' }).click();
    await pia.waitForURL(ROOM_PATH);
    await roomState(pia, 'waiting');
    const more: Page[] = [];
    for (let i = 0; i < 5; i++) {
      const tab = await pia.context().newPage();
      more.push(tab);
      await tab.goto(pia.url());
      await roomState(tab, 'waiting');
    }
    await screen(pia, 'closed').waitFor();
    expect(await screen(pia, 'closed').innerText()).to.contain('This room is open in your other tabs.');
    await pia.locator('[data-screen="closed"] [data-closed-retry]').click();
    await roomState(pia, 'waiting');
    // Taking it back closed the oldest of the others in its turn.
    await screen(more[0]!, 'closed').waitFor();
    for (const tab of more) await tab.close();
    expect(participant.pageErrors).to.deep.equal([]);
  });
});
