/**
 * Recording as people in the room see it (a media server that records stands in for Janus): the instructor
 * presses Record; a participant entering sees the red indicator and is told the session is being recorded;
 * Stop takes the indicator away and is announced. The lead's end-to-end pass records through Janus.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';
import { recordingMediaServer } from '../support/recording-media-server.ts';

const ROOM_PATH = /\/rooms\/[0-9a-f-]{36}$/;

describe('recording in the room, in a browser', function () {
  this.timeout(40_000);
  const media = recordingMediaServer();
  const suite = useBrowserSuite({ server: { settings: { enabled: true }, mediaServer: media.chosen }, sessions: ['instructor', 'participant'] });
  const { instructor, participant } = suite.sessions;

  /** Signs in through /launch and goes in through the channel's meeting button (Start for the manager, Join for a member). */
  async function enter(page: Page, userId: string, channelId: number, button: 'Start Meeting' | 'Join Meeting'): Promise<void> {
    const ks = await suite.server.kaltura.userKs(userId);
    await page.goto(`${suite.server.url}/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(`/channels/${channelId}/meeting`)}`);
    await page.getByRole('button', { name: button }).click();
    await page.waitForURL(ROOM_PATH);
    await page.locator('[data-screen="live"]').waitFor();
  }

  it('shows the instructor Record and the time left, and everyone the red indicator, with a notice to a person entering while it records', async () => {
    const channel = await suite.server.kaltura.createChannel(`Recorded ${randomUUID().slice(0, 6)}`);
    const manager = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Ines Instructor' });
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Pia Participant' });
    await suite.server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await suite.server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    const teacher = instructor.page;
    const pia = participant.page;
    for (const page of [teacher, pia]) await countChimeTones(page);

    await enter(teacher, manager.id, channel.id, 'Start Meeting');
    expect((await teacher.locator('[data-recording-left]').innerText()).trim()).to.equal('Recording time left: 2:00:00');
    await teacher.getByRole('button', { name: 'Record' }).click();
    await teacher.locator('[data-recording-indicator]').getByText('Recording').waitFor();
    await teacher.getByRole('button', { name: 'Stop recording' }).waitFor();
    expect(await chimeTones(teacher), 'the chime at Record').to.equal(2);

    await enter(pia, member.id, channel.id, 'Join Meeting');
    await pia.locator('[data-recording-indicator]').waitFor();
    expect(await pia.locator('[data-recording-notice]').innerText()).to.equal('This session is being recorded.');
    expect(await chimeTones(pia), 'the chime on entering while it records').to.equal(2);
    expect(await pia.locator('[data-recording-announce]').getAttribute('aria-live')).to.equal('assertive');
    expect(await pia.locator('[data-recording-control]').count()).to.equal(0);

    await teacher.getByRole('button', { name: 'Stop recording' }).click();
    await pia.locator('[data-recording-indicator]').waitFor({ state: 'hidden' });
    await pia.locator('[data-recording-announce]').getByText('Recording stopped.').waitFor({ state: 'attached' });
    await teacher.getByRole('button', { name: 'Record' }).waitFor();
    expect(suite.consoleErrors).to.deep.equal([]);
  });
});

/** Counts the tones the page's Web Audio starts (the recording chime is two), from the next page it loads on. */
async function countChimeTones(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const counted = window as unknown as { chimeTones: number };
    counted.chimeTones = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args: Parameters<OscillatorNode['start']>) {
      counted.chimeTones += 1;
      return start.apply(this, args);
    };
  });
}

function chimeTones(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { chimeTones: number }).chimeTones);
}
