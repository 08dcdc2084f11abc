import { expect } from 'chai';
import { studentStatus } from '../../../src/stats/roster-status.ts';

const MIN = 60_000;
const session = { startedAt: 0, endedAt: 100 * MIN };
const thresholds = { lateAfterMinutes: 10, leftEarlyMinutes: 10, presentPercent: 50 };
const inside = (firstEntry: number, lastExit: number | null, totalMs: number) => ({ firstEntry: firstEntry * MIN, lastExit: lastExit === null ? null : lastExit * MIN, totalMs: totalMs * MIN });

describe('roster status', () => {
  describe('#studentStatus', () => {
    it('is Late only after more than N minutes, and Left early only more than N minutes before the end', () => {
      expect(studentStatus(session, inside(10, 100, 90), thresholds, 0)).to.equal('present');
      expect(studentStatus(session, inside(10.01, 100, 89), thresholds, 0)).to.equal('late');
      expect(studentStatus(session, inside(0, 90, 90), thresholds, 0)).to.equal('present');
      expect(studentStatus(session, inside(0, 89.99, 89), thresholds, 0)).to.equal('leftEarly');
    });

    it('is Absent below P % of the session, present at exactly P %', () => {
      expect(studentStatus(session, inside(0, 100, 50), thresholds, 0)).to.equal('present');
      expect(studentStatus(session, inside(0, 100, 49.99), thresholds, 0)).to.equal('absent');
      expect(studentStatus(session, null, thresholds, 0)).to.equal('absent');
    });

    it('measures a live session until now, and nobody has left it early yet', () => {
      expect(studentStatus({ startedAt: 0, endedAt: null }, inside(0, 20, 20), thresholds, 40 * MIN)).to.equal('present');
      expect(studentStatus({ startedAt: 0, endedAt: null }, inside(0, 10, 10), thresholds, 40 * MIN)).to.equal('absent');
    });

    it('lets Excused override everything', () => {
      expect(studentStatus(session, null, thresholds, 0, true)).to.equal('excused');
      expect(studentStatus(session, inside(30, 100, 70), thresholds, 0, true)).to.equal('excused');
    });
  });
});
