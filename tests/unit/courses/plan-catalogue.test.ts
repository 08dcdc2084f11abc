import { expect } from 'chai';
import { loadConfig } from '../../../src/lib/config/config.ts';
import { parsePlanLimits, PlanCatalogue } from '../../../src/courses/plan-catalogue.ts';

const catalogue = () => new PlanCatalogue(loadConfig({ environment: { NODE_ENV: 'test' } }).plans);
const room = (planId: string | null, planLimits: ReturnType<typeof parsePlanLimits> = null) => ({ planId, planLimits });

describe('PlanCatalogue', () => {
  describe('#list', () => {
    it('lists the plans of config in their order, with their labels', () => {
      expect(catalogue().list().map((plan) => plan.label)).to.deep.equal(['Inactive', 'Smart_15', 'Smart_25', 'Smart_custom']);
    });

    it('starts new courses on the plan that is not active', () => {
      expect(catalogue().inactivePlan.id).to.equal('inactive');
    });
  });

  describe('#isActive', () => {
    it('treats a room without a plan as a MediaSpace room that can go live', () => {
      expect(catalogue().isActive(room(null))).to.equal(true);
      expect(catalogue().canGoLive(room(null))).to.equal(true);
    });

    it('follows the plan: Inactive cannot go live, the Smart plans can', () => {
      const plans = catalogue();
      expect(['inactive', 'smart_15', 'smart_25', 'smart_custom'].map((id) => plans.isActive(room(id)))).to.deep.equal([false, true, true, true]);
    });

    it('counts a plan that is no longer in the catalogue as inactive', () => {
      expect(catalogue().isActive(room('smart_retired'))).to.equal(false);
    });
  });

  describe('#needsLicence', () => {
    it('asks a licence for active plans only', () => {
      const plans = catalogue();
      expect([null, 'inactive', 'smart_15', 'smart_custom', 'nope'].map((id) => plans.needsLicence(id))).to.deep.equal([false, false, true, true, false]);
      expect(plans.licensed().map((plan) => plan.id)).to.deep.equal(['smart_15', 'smart_25', 'smart_custom']);
    });
  });

  describe('#webcamLimit', () => {
    it('gives 15 and 25 webcam users for Smart_15 and Smart_25, and a custom course its own', () => {
      const plans = catalogue();
      expect(plans.webcamLimit(room('smart_15'))).to.equal(15);
      expect(plans.webcamLimit(room('smart_25'))).to.equal(25);
      expect(plans.webcamLimit(room('smart_custom', { webcamUsers: 7, virtualClassrooms: 1, cloudRecordingHours: 2, selfPacedCourses: 1 }))).to.equal(7);
      expect(plans.webcamLimit(room('smart_custom'))).to.equal(50);
    });

    it('ignores own limits on a plan without custom limits, and sets none for a MediaSpace room', () => {
      const plans = catalogue();
      expect(plans.webcamLimit(room('smart_15', { webcamUsers: 99, virtualClassrooms: 1, cloudRecordingHours: 2, selfPacedCourses: 1 }))).to.equal(15);
      expect(plans.webcamLimit(room(null))).to.equal(null);
      expect(plans.webcamLimit(room('inactive'))).to.equal(0);
    });
  });

  describe('parsePlanLimits', () => {
    it('reads a complete set of limits, and nothing from anything else', () => {
      expect(parsePlanLimits('{"webcamUsers":3,"virtualClassrooms":1,"cloudRecordingHours":1.5,"selfPacedCourses":0,"extra":1}')).to.deep.equal({ webcamUsers: 3, virtualClassrooms: 1, cloudRecordingHours: 1.5, selfPacedCourses: 0 });
      for (const bad of [null, '', 'not json', '{"webcamUsers":3}', '{"webcamUsers":-1,"virtualClassrooms":1,"cloudRecordingHours":1,"selfPacedCourses":0}']) expect(parsePlanLimits(bad)).to.equal(null);
    });
  });
});
