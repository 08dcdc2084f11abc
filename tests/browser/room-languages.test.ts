/**
 * The live room in French, in a real browser: room.js takes its words from
 * the page (#room-texts), so everything it writes while the room changes
 * (states, waiting counts, the confirm dialog, why a session ended) is in
 * the person's language too.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from '../support/browser.ts';
import { LEVEL } from '../support/kaltura-seed.ts';

const ROOM_PATH = /\/rooms\/[0-9a-f-]{36}$/;

describe('live room in French in a browser', function () {
  const suite = useBrowserSuite({ server: { settings: { enabled: true } }, sessions: ['instructor', 'participant'] });
  const { instructor, participant } = suite.sessions;

  beforeEach(async () => {
    for (const session of [instructor, participant]) await session.page.setExtraHTTPHeaders({ 'Accept-Language': 'fr-FR,fr;q=0.9' });
  });

  /** Through /launch to the channel buttons, in French. */
  async function openMeetingActions(page: Page, userId: string, channelId: number): Promise<void> {
    const ks = await suite.server.kaltura.userKs(userId);
    await page.goto(`${suite.server.url}/launch?ks=${encodeURIComponent(ks)}&returnTo=${encodeURIComponent(`/channels/${channelId}/meeting`)}`);
    await page.locator('.channel-buttons').waitFor();
  }

  /** A member takes Rejoindre la réunion. */
  async function join(page: Page, userId: string, channelId: number): Promise<void> {
    await openMeetingActions(page, userId, channelId);
    await page.getByRole('button', { name: 'Rejoindre la réunion' }).click();
    await page.waitForURL(ROOM_PATH);
  }

  /** The manager goes in without starting, with the app's own join (Démarrer la réunion would start it at once). */
  async function enterWithoutStarting(page: Page, userId: string, channelId: number): Promise<void> {
    await openMeetingActions(page, userId, channelId);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const response = await page.request.post(`${suite.server.url}/channels/${channelId}/meeting/join`, { form: { _csrf: csrf }, headers: { Accept: 'application/json' } });
    expect(response.status(), await response.text()).to.equal(200);
    await page.goto(new URL(((await response.json()) as { launchUrl: string }).launchUrl, suite.server.url).href);
    await page.waitForURL(ROOM_PATH);
  }

  it('says what happens in the room in French, from waiting through the session to its end', async () => {
    const channel = await suite.server.kaltura.createChannel(`Séminaire ${randomUUID().slice(0, 6)}`);
    const manager = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Inès Formatrice' });
    const member = await suite.server.kaltura.createUser({ role: 'viewerRole', name: 'Paul Participant' });
    await suite.server.kaltura.addMember(channel.id, manager.id, LEVEL.manager);
    await suite.server.kaltura.addMember(channel.id, member.id, LEVEL.member);
    const teacher = instructor.page;
    const paul = participant.page;

    await join(paul, member.id, channel.id);
    await paul.locator('[data-room-state="waiting"]').waitFor({ state: 'attached' });
    expect(await paul.locator('html').getAttribute('lang')).to.equal('fr');
    expect((await paul.locator('[data-state-label]').innerText()).trim()).to.equal('Pas commencée');
    expect(await paul.locator('[data-screen="waiting"]').innerText()).to.contain('Vous êtes la seule personne à attendre.');

    await enterWithoutStarting(teacher, manager.id, channel.id);
    await teacher.locator('[data-waiting-list]').getByText('Paul Participant').waitFor();
    expect(await teacher.locator('[data-screen="waiting"]').innerText()).to.contain('1 personne attend.');
    await teacher.getByRole('button', { name: 'Démarrer la session' }).click();

    await paul.locator('[data-room-state="live"]').waitFor({ state: 'attached' });
    expect((await paul.locator('[data-state-label]').innerText()).trim()).to.equal('En direct');
    expect(await paul.locator('#chat-text').getAttribute('placeholder')).to.equal('Écrire un message');
    expect(await paul.locator('[data-people-list] li').filter({ hasText: 'Paul Participant' }).innerText()).to.contain('(vous)');
    await paul.getByRole('button', { name: 'Lever la main' }).click();
    await teacher.locator('[data-hand-queue]').getByRole('button', { name: 'Baisser la main : Paul Participant' }).waitFor();

    await teacher.getByRole('button', { name: 'Terminer la session' }).click();
    const confirm = teacher.getByRole('dialog', { name: 'Terminer la session pour tout le monde ?' });
    await confirm.getByRole('button', { name: 'Terminer la session' }).click();
    await paul.locator('[data-room-state="ended"]').waitFor({ state: 'attached' });
    expect(await paul.locator('[data-screen="ended"]').innerText()).to.contain("Un formateur l'a terminée.");
    expect((await paul.locator('[data-state-label]').innerText()).trim()).to.equal('Session terminée');
    expect([...instructor.pageErrors, ...participant.pageErrors]).to.deep.equal([]);
  });
});
