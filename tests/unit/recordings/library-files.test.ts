import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { RecordingFiles } from '../../../src/recordings/library/recording-files.ts';

describe('RecordingFiles', () => {
  let dataDir: string;
  let files: RecordingFiles;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recording-files-'));
    files = new RecordingFiles(dataDir);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  describe('#resolve', () => {
    it('answers paths inside the recordings folder only', () => {
      expect(files.resolve('recordings/a.mp4')).to.equal(path.join(dataDir, 'recordings', 'a.mp4'));
      expect(files.resolve('recordings/raw/a')).to.equal(path.join(dataDir, 'recordings', 'raw', 'a'));
      for (const outside of ['recordings', 'recordings/', 'recordings/../csrf-secret', '../etc/passwd', '/etc/passwd', 'files/x', 'recordings-old/a.mp4']) {
        expect(files.resolve(outside), outside).to.equal(null);
      }
    });
  });

  describe('#removeRecording', () => {
    it('removes the stored paths and the conventional ones, and nothing outside the recordings folder', async () => {
      mkdirSync(path.join(dataDir, 'recordings', 'raw', 'r1'), { recursive: true });
      writeFileSync(path.join(dataDir, 'recordings', 'raw', 'r1', 'a.mjr'), 'raw');
      writeFileSync(path.join(dataDir, 'recordings', 'r1.mp4'), 'final');
      writeFileSync(path.join(dataDir, 'recordings', 'r1.mp4.partial'), 'kept: another name');
      writeFileSync(path.join(dataDir, 'secret'), 'kept');
      await files.removeRecording({ id: 'r1', storageKey: 'recordings/r1.mp4', rawFolder: '../secret' });
      expect(existsSync(path.join(dataDir, 'recordings', 'r1.mp4'))).to.equal(false);
      expect(existsSync(path.join(dataDir, 'recordings', 'raw', 'r1'))).to.equal(false);
      expect(existsSync(path.join(dataDir, 'secret'))).to.equal(true);
      await files.removeRecording({ id: 'r1', storageKey: null, rawFolder: null });
      // An id that is not one of ours names no folder: the raw folder of every recording stays.
      await files.removeRecording({ id: '../raw', storageKey: null, rawFolder: null });
      expect(existsSync(path.join(dataDir, 'recordings', 'raw'))).to.equal(true);
    });
  });
});
