/** The emulator's Stripe lives in memory: after a restart the service forgets the emulated customer and licences with it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { backendPerson } from '../../support/courses.ts';
import { changeLicences, licenceCounts, startBillingServer } from '../../support/billing.ts';

describe('Stripe emulator across a restart', () => {
  it('starts an empty Stripe and forgets the old customer, so the next purchase makes a new one', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'live-rooms-billing-'));
    try {
      const first = await startBillingServer({ dataDir });
      const admin = await backendPerson(first, 'administrator');
      expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '2' })).status).to.equal(303);
      await first.billing!.emulator!.webhooks.settled();
      await first.stop();

      const second = await startBillingServer({ dataDir });
      try {
        const again = await backendPerson(second, 'administrator');
        expect((await licenceCounts(again.agent)).smart_15!.purchased).to.equal(0);
        expect((await again.agent.get('/backend/billing')).text).to.contain('No subscription yet');
        expect((await changeLicences(again.agent, { kind: 'add', planId: 'smart_15', quantity: '1' })).status).to.equal(303);
        expect((await licenceCounts(again.agent)).smart_15!.purchased).to.equal(1);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
