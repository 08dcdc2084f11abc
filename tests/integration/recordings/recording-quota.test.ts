import { expect } from 'chai';
import { RecordingQuota } from '../../../src/recordings/recording-quota.ts';
import { PlanCatalogue } from '../../../src/courses/plan-catalogue.ts';
import { TEST_DATABASES, startTestServerOn } from '../../support/test-databases.ts';
import type { TestServer } from '../../support/test-server.ts';
import { insertRoomRow } from '../../support/room-rows.ts';

for (const database of TEST_DATABASES) {
  describe(`recording time per room on ${database}`, function () {
    this.timeout(20_000);
    let server: TestServer;
    let quota: RecordingQuota;

    before(async () => {
      server = await startTestServerOn(database);
      quota = new RecordingQuota({ db: server.db, plans: new PlanCatalogue(server.config.plans), hoursWithoutPlan: 1.5 });
    });
    after(() => server.stop());

    const addRoom = (id: string, planId: string | null, planLimits: object | null = null) =>
      insertRoomRow(server.db, { id, kind: planId ? 'course' : 'channel', name: id, created_at: 0, plan_id: planId, plan_limits: planLimits && JSON.stringify(planLimits) });
    const record = (roomId: string, recordingId: string, seconds: number) =>
      server.db.insertInto('recording_ledger').values({ id: `${recordingId}-${seconds}-${Math.random()}`, room_id: roomId, recording_id: recordingId, seconds, recorded_at: 1 }).execute();
    const grant = (roomId: string, seconds: number) =>
      server.db.insertInto('recording_grants').values({ id: `g-${roomId}-${seconds}`, room_id: roomId, seconds, note: null, granted_by: 'admin', granted_by_name: 'Admin', granted_at: 1 }).execute();

    it("gives a course its plan's hours, adds grants, and subtracts every recorded second", async () => {
      await addRoom('q-smart15', 'smart_15');
      await record('q-smart15', 'r1', 3000);
      await record('q-smart15', 'r1', 600);
      await record('q-smart15', 'r2', 1);
      await grant('q-smart15', 1800);
      expect(await quota.forRoom('q-smart15')).to.deep.equal({ includedSeconds: 7200, grantedSeconds: 1800, usedSeconds: 3601, leftSeconds: 5399 });
    });

    it("reads a custom plan's own hours, and the configured hours for a room outside the plans", async () => {
      await addRoom('q-custom', 'smart_custom', { virtualClassrooms: 1, cloudRecordingHours: 5, selfPacedCourses: 1, webcamUsers: 30 });
      await addRoom('q-channel', null);
      const figures = await quota.forRooms(['q-custom', 'q-channel', 'q-unknown']);
      expect(figures.get('q-custom')?.includedSeconds).to.equal(18_000);
      expect(figures.get('q-channel')?.includedSeconds).to.equal(5400);
      expect(figures.has('q-unknown')).to.equal(false);
    });

    it('never answers less than nothing left when a recording finished over the quota, and an inactive course has no hours', async () => {
      await addRoom('q-over', 'smart_25');
      await record('q-over', 'r3', 7300);
      expect((await quota.forRoom('q-over')).leftSeconds).to.equal(0);
      await addRoom('q-inactive', 'inactive');
      expect(await quota.forRoom('q-inactive')).to.deep.include({ includedSeconds: 0, leftSeconds: 0 });
      expect((await quota.forRoom('q-unknown')).leftSeconds).to.equal(0);
    });

    it('keeps recorded time counted after the recording is deleted (the ledger has no tie to it)', async () => {
      await addRoom('q-deleted', 'smart_15');
      await record('q-deleted', 'gone', 120);
      await server.db.deleteFrom('recordings').where('id', '=', 'gone').execute();
      expect((await quota.forRoom('q-deleted')).usedSeconds).to.equal(120);
    });
  });
}
