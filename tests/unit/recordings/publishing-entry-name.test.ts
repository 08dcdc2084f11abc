/**
 * A published recording's Kaltura name, where its recordings go, and the
 * publishing settings' checks.
 */
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/lib/config/config.ts';
import { publishedEntryName } from '../../../src/recordings/publishing/entry-name.ts';
import { publishingApplies } from '../../../src/recordings/publishing/publish-job.ts';

describe('Publishing recordings: entry names, targets and settings', () => {
  it('names the entry after the room and the session\'s start in the organisation\'s time zone, on both sides of a clock change', () => {
    expect(publishedEntryName('Physics 101', Date.UTC(2026, 11, 4, 13, 30), 'Europe/Paris')).to.equal('Physics 101 — 2026-12-04 14:30');
    expect(publishedEntryName('Physics 101', Date.UTC(2026, 6, 4, 13, 30), 'Europe/Paris')).to.equal('Physics 101 — 2026-07-04 15:30');
    expect(publishedEntryName(' Late class ', Date.UTC(2026, 11, 31, 23, 59), 'UTC')).to.equal('Late class — 2026-12-31 23:59');
    expect(publishedEntryName('Midnight', Date.UTC(2026, 11, 31, 23, 0), 'Europe/Paris'), 'midnight is 00, not 24').to.equal('Midnight — 2027-01-01 00:00');
  });

  it('keeps a long room name within Kaltura\'s 256 characters, the date kept whole', () => {
    const name = publishedEntryName('x'.repeat(400), Date.UTC(2026, 0, 1), 'UTC');
    expect(name).to.have.length(256);
    expect(name.endsWith(' — 2026-01-01 00:00')).to.equal(true);
  });

  it('publishes a channel room\'s recordings always, and other rooms\' only where a category is configured', () => {
    const none = { kalturaCategoryId: null, kalturaCategoryFullName: null };
    expect(publishingApplies({ kind: 'channel', channel_id: 12 }, none)).to.equal(true);
    expect(publishingApplies({ kind: 'channel', channel_id: null }, none)).to.equal(false);
    expect(publishingApplies({ kind: 'course', channel_id: null }, none)).to.equal(false);
    expect(publishingApplies({ kind: 'course', channel_id: null }, { ...none, kalturaCategoryId: 5 })).to.equal(true);
    expect(publishingApplies({ kind: 'private', channel_id: null }, { ...none, kalturaCategoryFullName: 'MediaSpace>site>recordings' })).to.equal(true);
  });

  it('takes the category and the time zone from the environment, and refuses a zone that does not exist naming the key', () => {
    const config = loadConfig({ environment: { NODE_ENV: 'test', RECORDINGS_KALTURA_CATEGORY_ID: '31', RECORDINGS_TIME_ZONE: 'Europe/Paris' } });
    expect(config.recordings).to.include({ kalturaCategoryId: 31, timeZone: 'Europe/Paris', kalturaCategoryFullName: null });
    expect(loadConfig({ environment: { NODE_ENV: 'test', RECORDINGS_KALTURA_CATEGORY: 'MediaSpace>site>recordings' } }).recordings.kalturaCategoryFullName).to.equal('MediaSpace>site>recordings');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', RECORDINGS_TIME_ZONE: 'Mars/Olympus' } })).to.throw(ConfigError, 'recordings.timeZone');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test', RECORDINGS_KALTURA_CATEGORY_ID: 'physics' } })).to.throw(ConfigError, 'recordings.kalturaCategoryId');
    expect(() => loadConfig({ environment: { NODE_ENV: 'test' }, overrides: { recordings: { publishChunkBytes: 10 } } })).to.throw(ConfigError, 'recordings.publishChunkBytes');
  });
});
