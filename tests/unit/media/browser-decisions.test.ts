/**
 * The media browser modules' decisions that need no DOM, imported as the
 * plain ES modules the browser loads: which tiles' video is received (pages),
 * what each receives (layer, video on or off, sent in order), each feed's
 * stream from the receiving connection's m-lines, and how the connection's
 * quality moves with its statistics.
 */
import { expect } from 'chai';

interface Tile {
  participantId: string;
  you?: boolean;
  screen?: boolean;
  fullScreen?: boolean;
  feed: { audio: boolean; video: boolean } | null;
}
interface Plan {
  page: number;
  pages: number;
  total: number;
  from: number;
  to: number;
  video: Set<string>;
}
interface Quality {
  level: string;
  poor: number;
  good: number;
}
interface Counts {
  lost: number;
  received: number;
  dropped: number;
  frames: number;
}
interface Carried {
  key: string;
  receiver: { track: string };
}
interface FakeStream {
  tracks: string[];
  getTracks(): string[];
}
interface Sample {
  loss: number;
  dropped: number;
}

// Loaded by path at run time: browser modules have no type declarations.
const load = (name: string) => import(new URL(`../../../src/media/public/${name}.js`, import.meta.url).href);
const pages = (await load('pages')) as { PAGE_SIZE: number; pagePlan(tiles: Tile[], page: number, keep: Array<string | null>): Plan };
const quality = (await load('quality')) as {
  initialQuality(): Quality;
  qualityStep(quality: Quality, sample: Sample | null): Quality;
  sampleOf(before: Counts, now: Counts): Sample | null;
  cappedLayer(layer: string, level: string): string | null;
  sharedTotals(before: Record<string, Counts>, now: Record<string, Counts>): { before: Counts; now: Counts };
};
const receiving = (await load('receiving')) as {
  tileLayer(tile: Tile, shown: number, mainId: string | null): string;
  syncReceiving(state: unknown, link: unknown, tiles: Tile[], plan: Plan, mainId: string | null, level: string): void;
  videoRefused(state: unknown, ref: string): void;
};
const receivingConnection = (await load('receiving-connection')) as {
  feedStreams(carried: Carried[], kept: Map<string, FakeStream>, makeStream: (tracks: string[]) => FakeStream): Map<string, FakeStream>;
};

const camera = (participantId: string, video = true): Tile => ({ participantId, feed: { audio: true, video } });
const cameras = (count: number) => Array.from({ length: count }, (_, index) => camera(`p${index + 1}`));

describe('media browser decisions', () => {
  describe('pagePlan', () => {
    it('receives the video of one page of cameras, and of the pinned tile and the speaker whatever the page', () => {
      const tiles = [{ participantId: 'me', you: true, feed: { audio: true, video: true } }, ...cameras(40), camera('silent', false)];
      const first = pages.pagePlan(tiles, 0, [null, null]);
      expect(pages.PAGE_SIZE).to.equal(25);
      expect(first).to.include({ page: 0, pages: 2, total: 40, from: 1, to: 25 });
      expect(first.video.size).to.equal(25);
      expect(first.video.has('p25') && !first.video.has('p26') && !first.video.has('me') && !first.video.has('silent')).to.equal(true);

      const second = pages.pagePlan(tiles, 1, ['p3', 'p40']);
      expect(second).to.include({ page: 1, from: 26, to: 40 });
      expect([...second.video].sort()).to.have.length(16).and.include('p3');
    });

    it('keeps the page in range as cameras go, and always receives screen shares', () => {
      const tiles: Tile[] = [{ participantId: 'p1/screen', screen: true, feed: { audio: true, video: true } }, ...cameras(3)];
      const plan = pages.pagePlan(tiles, 4, []);
      expect(plan).to.include({ page: 0, pages: 1, from: 1, to: 3 });
      expect(plan.video.has('p1/screen')).to.equal(true);
      expect(pages.pagePlan([], 0, []).pages).to.equal(1);
    });
  });

  describe('syncReceiving', () => {
    it('turns video off before it turns any on, and asks each tile\'s layer under the quality ceiling', () => {
      const sent: Array<Record<string, unknown>> = [];
      const entry = (video: boolean) => ({ offered: true, video, layer: undefined as string | undefined });
      const state = { subscriptions: new Map([['a/camera', entry(false)], ['b/camera', entry(true)], ['c/camera', entry(true)]]) };
      const tiles = [camera('a'), camera('b'), camera('c')];
      const plan = { page: 0, pages: 1, total: 3, from: 1, to: 3, video: new Set(['a', 'c']) };
      receiving.syncReceiving(state, { send: (message: Record<string, unknown>) => sent.push(message) }, tiles, plan, 'c', 'medium');
      expect(sent).to.deep.equal([
        { type: 'media.video', participantId: 'b', source: 'camera', video: false },
        { type: 'media.video', participantId: 'a', source: 'camera', video: true },
        { type: 'media.layer', participantId: 'a', source: 'camera', layer: 'medium' },
        { type: 'media.layer', participantId: 'c', source: 'camera', layer: 'medium' },
      ]);
      sent.length = 0;
      receiving.syncReceiving(state, { send: (message: Record<string, unknown>) => sent.push(message) }, tiles, plan, 'c', 'audio');
      expect(sent.map((message) => `${String(message.participantId)}:${String(message.video)}`)).to.deep.equal(['a:false', 'c:false']);
    });

    it('asks again for a refused video when what is shown changes (a page flip), and not on every render before that', () => {
      const sent: Array<Record<string, unknown>> = [];
      const link = { send: (message: Record<string, unknown>) => `media:${String(message.type)}:${sent.push(message)}` };
      const entry = () => ({ offered: true, video: false, layer: undefined as string | undefined });
      const state = { subscriptions: new Map([['a/camera', entry()], ['b/camera', entry()]]) };
      const tiles = [camera('a'), camera('b')];
      const both = { page: 0, pages: 1, total: 2, from: 1, to: 2, video: new Set(['a', 'b']) };
      const turnedOn = () => sent.filter((message) => message.type === 'media.video' && message.video === true).map((message) => message.participantId);

      receiving.syncReceiving(state, link, tiles, both, null, 'high');
      expect(turnedOn()).to.deep.equal(['a', 'b']);
      const refusedRef = `media:media.video:${sent.findIndex((message) => message.participantId === 'b' && message.type === 'media.video') + 1}`;
      receiving.videoRefused(state, refusedRef);
      receiving.videoRefused(state, 'media:media.video:999');

      sent.length = 0;
      receiving.syncReceiving(state, link, tiles, both, null, 'high');
      receiving.syncReceiving(state, link, tiles, both, null, 'high');
      expect(turnedOn(), 'asked again on each render: refusal after refusal').to.deep.equal([]);

      receiving.syncReceiving(state, link, tiles, { ...both, video: new Set(['b']) }, null, 'high');
      expect(turnedOn(), 'the page changed: b is asked for again').to.deep.equal(['b']);
    });

    it('asks nothing for a subscription whose feed is not on the receiving connection yet', () => {
      const sent: Array<Record<string, unknown>> = [];
      const state = { subscriptions: new Map([['a/camera', { offered: false, video: false, layer: undefined }]]) };
      const plan = { page: 0, pages: 1, total: 1, from: 1, to: 1, video: new Set(['a']) };
      receiving.syncReceiving(state, { send: (message: Record<string, unknown>) => sent.push(message) }, [camera('a')], plan, null, 'high');
      expect(sent).to.deep.equal([]);
    });

    it('gives the tile that leads or is full screen the high layer, and small tiles a layer by how many are shown', () => {
      expect(receiving.tileLayer(camera('a'), 20, 'a')).to.equal('high');
      expect(receiving.tileLayer({ ...camera('a'), fullScreen: true }, 20, null)).to.equal('high');
      expect(receiving.tileLayer(camera('a'), 2, null)).to.equal('high');
      expect(receiving.tileLayer(camera('a'), 6, null)).to.equal('medium');
      expect(receiving.tileLayer(camera('a'), 7, null)).to.equal('low');
    });
  });

  describe('feedStreams', () => {
    const makeStream = (tracks: string[]): FakeStream => ({ tracks, getTracks: () => tracks });
    const on = (key: string, track: string): Carried => ({ key, receiver: { track } });

    it('keeps a feed\'s stream while its tracks stay, and makes a new one when they change or its m-line carries another feed', () => {
      const first = receivingConnection.feedStreams([on('a/camera', 'T1'), on('a/camera', 'T2'), on('b/camera', 'T3')], new Map(), makeStream);
      expect(first.get('a/camera')!.tracks).to.deep.equal(['T1', 'T2']);

      // b gone, c added on a new m-line: a keeps its stream (its tile does not flicker).
      const second = receivingConnection.feedStreams([on('c/camera', 'T4'), on('a/camera', 'T2'), on('a/camera', 'T1')], first, makeStream);
      expect(second.get('a/camera')).to.equal(first.get('a/camera'));
      expect([...second.keys()].sort()).to.deep.equal(['a/camera', 'c/camera']);

      // b's old transceiver (its track T3) now carries d; a lost its video.
      const third = receivingConnection.feedStreams([on('a/camera', 'T1'), on('c/camera', 'T4'), on('d/screen', 'T3')], second, makeStream);
      expect(third.get('a/camera')).to.not.equal(second.get('a/camera'));
      expect(third.get('a/camera')!.tracks).to.deep.equal(['T1']);
      expect(third.get('c/camera')).to.equal(second.get('c/camera'));
      expect(third.get('d/screen')!.tracks).to.deep.equal(['T3']);
    });
  });

  describe('qualityStep', () => {
    const poor = { loss: 0.12, dropped: 0 };
    const good = { loss: 0.005, dropped: 0.01 };
    const steps = (start: Quality, samples: Array<Sample | null>) => samples.reduce((now, sample) => quality.qualityStep(now, sample), start);

    it('steps down after two poor samples in a row, to audio only at worst, and not for one burst', () => {
      const start = quality.initialQuality();
      expect(steps(start, [poor]).level).to.equal('high');
      expect(steps(start, [poor, good, poor]).level).to.equal('high');
      expect(steps(start, [poor, poor]).level).to.equal('medium');
      expect(steps(start, Array(6).fill(poor)).level).to.equal('audio');
      expect(steps(start, Array(12).fill(poor)).level).to.equal('audio');
      expect(steps(start, [{ loss: 0, dropped: 0.5 }, { loss: 0, dropped: 0.4 }]).level).to.equal('medium');
    });

    it('comes back up a step after four good samples, and stays put on middling ones or when nothing arrived', () => {
      const audio = steps(quality.initialQuality(), Array(6).fill(poor));
      expect(steps(audio, Array(3).fill(good)).level).to.equal('audio');
      expect(steps(audio, Array(4).fill(good)).level).to.equal('low');
      expect(steps(audio, Array(16).fill(good)).level).to.equal('high');
      expect(steps(audio, [good, good, good, { loss: 0.04, dropped: 0 }, good]).level).to.equal('audio');
      expect(steps(audio, [null, null, null]).level).to.equal('audio');
    });
  });

  describe('sampleOf, sharedTotals and cappedLayer', () => {
    it('reads the share of packets lost and frames dropped between two readings, and nothing from too few packets', () => {
      expect(quality.sampleOf({ lost: 0, received: 0, dropped: 0, frames: 0 }, { lost: 10, received: 90, dropped: 5, frames: 15 })).to.deep.equal({ loss: 0.1, dropped: 0.25 });
      expect(quality.sampleOf({ lost: 0, received: 0, dropped: 0, frames: 0 }, { lost: 0, received: 20, dropped: 0, frames: 0 })).to.equal(null);
    });

    it('sums only the streams read both times: one added, gone or counting afresh between readings is left out', () => {
      const counts = (received: number, lost = 0): Counts => ({ lost, received, dropped: 0, frames: received });
      const shared = quality.sharedTotals({ a: counts(100), gone: counts(500), again: counts(900) }, { a: counts(190, 10), added: counts(400), again: counts(40) });
      expect(shared).to.deep.equal({ before: counts(100), now: counts(190, 10) });
      expect(quality.sampleOf(shared.before, shared.now)).to.deep.equal({ loss: 0.1, dropped: 0 });
    });

    it('takes the lower of a tile\'s layer and the ceiling, and no video on audio only', () => {
      expect(quality.cappedLayer('high', 'low')).to.equal('low');
      expect(quality.cappedLayer('low', 'high')).to.equal('low');
      expect(quality.cappedLayer('medium', 'medium')).to.equal('medium');
      expect(quality.cappedLayer('high', 'audio')).to.equal(null);
    });
  });
});
