/**
 * A recording in Session Stats, in Chromium: the instructor opens the session,
 * the page's <video> reads the recording through range requests and plays it,
 * the download link saves the file under the recording's name, and renaming
 * goes through the page's form.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { TEST_PASSWORD } from '../support/backend-accounts.ts';
import { useBrowserSuite } from '../support/browser.ts';
import { recordingScene, tinyVideo } from '../support/recording-library-scene.ts';

describe('a recording in Session Stats, in a browser', function () {
  const suite = useBrowserSuite({ sessions: ['instructor'] });
  const { instructor } = suite.sessions;

  it('plays the recording, downloads it and renames it', async function () {
    this.timeout(60_000);
    const server = suite.server;
    const scene = await recordingScene(server, { courseName: 'Optics' });
    const id = await scene.addRecording({ title: 'Lentilles convergentes', withFile: true, duration_ms: 1000 });

    const page = instructor.page;
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email address').fill(scene.teacher.email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Courses' }).waitFor();
    await page.goto(`${server.url}/backend/stats/sessions/${scene.sessionId}`);
    const card = page.locator(`[data-recording-id="${id}"]`);
    await card.getByRole('heading', { name: 'Lentilles convergentes' }).waitFor();
    expect((await card.locator('[data-col="state"]').textContent())!.trim()).to.equal('Ready');

    // The browser's own player: metadata through the video route, then a second of playing.
    const video = card.locator('video[data-player]');
    const played = await video.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      if (element.readyState < 1) await new Promise((resolve, reject) => { element.addEventListener('loadedmetadata', resolve, { once: true }); element.addEventListener('error', () => reject(new Error(`video error ${element.error?.code}`)), { once: true }); });
      await element.play();
      await new Promise((resolve) => element.addEventListener('ended', resolve, { once: true }));
      return { duration: element.duration, currentTime: element.currentTime };
    });
    expect(played.duration).to.be.within(0.9, 1.2);
    expect(played.currentTime).to.be.greaterThan(0.8);

    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).to.equal('Lentilles convergentes.mp4');
    expect(readFileSync((await download.path())!).equals(await tinyVideo())).to.equal(true);

    await card.locator('summary', { hasText: 'Rename' }).click();
    await card.getByLabel('Title').fill('Optique 1');
    await card.getByRole('button', { name: 'Rename' }).click();
    await page.getByText('The recording was renamed.').waitFor();
    await page.locator(`[data-recording-id="${id}"]`).getByRole('heading', { name: 'Optique 1' }).waitFor();
    expect(suite.consoleErrors).to.deep.equal([]);
  });
});
