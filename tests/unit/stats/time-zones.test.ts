import { expect } from 'chai';
import { hms, isoInZone, isTimeZone, parseLocalDate, startOfLocalDate } from '../../../src/stats/time-zones.ts';
import { neutralise } from '../../../src/stats/csv-stream.ts';

describe('time zones', () => {
  describe('#isoInZone', () => {
    it('writes the offset the zone had at that instant, on both sides of a change', () => {
      expect(isoInZone(Date.UTC(2027, 2, 28, 0, 30), 'Europe/Paris')).to.equal('2027-03-28T01:30:00+01:00');
      expect(isoInZone(Date.UTC(2027, 2, 28, 1, 30), 'Europe/Paris')).to.equal('2027-03-28T03:30:00+02:00');
      expect(isoInZone(Date.UTC(2027, 0, 1, 20, 5, 7), 'America/St_Johns')).to.equal('2027-01-01T16:35:07-03:30');
    });
  });

  describe('#startOfLocalDate', () => {
    it('finds midnight, and the first time that exists where a change skips midnight', () => {
      expect(new Date(startOfLocalDate('Europe/Paris', { year: 2027, month: 3, day: 28 })).toISOString()).to.equal('2027-03-27T23:00:00.000Z');
      expect(new Date(startOfLocalDate('America/New_York', { year: 2026, month: 11, day: 1 })).toISOString()).to.equal('2026-11-01T04:00:00.000Z');
      expect(new Date(startOfLocalDate('America/New_York', { year: 2026, month: 11, day: 2 })).toISOString()).to.equal('2026-11-02T05:00:00.000Z');
      expect(new Date(startOfLocalDate('America/Sao_Paulo', { year: 2018, month: 11, day: 4 })).toISOString()).to.equal('2018-11-04T03:00:00.000Z');
    });
  });

  it('reads only real dates and known zones', () => {
    expect(parseLocalDate('2027-02-29')).to.equal(null);
    expect(parseLocalDate('2028-02-29')).to.deep.equal({ year: 2028, month: 2, day: 29 });
    expect(parseLocalDate('28/02/2027')).to.equal(null);
    expect(isTimeZone('Europe/Paris')).to.equal(true);
    expect(isTimeZone('Mars/Olympus')).to.equal(false);
  });

  it('writes durations as h:mm:ss, past 24 hours without wrapping', () => {
    expect(hms(0)).to.equal('0:00:00');
    expect(hms(59_499)).to.equal('0:00:59');
    expect(hms(47 * 3600_000 + 61_000)).to.equal('47:01:01');
  });

  it('neutralises text cells a spreadsheet would run as a formula, and only those', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'Élodie', 'a=b', 42, null].map(neutralise)).to.deep.equal(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", 'Élodie', 'a=b', 42, null]);
  });
});
