import { expect } from 'chai';
import { hasRoleAtLeast, isMediaSpaceAdmin, resolveMediaSpaceRole } from '../../../src/identity/mediaspace-roles.ts';

describe('MediaSpace roles', () => {
  describe('#resolveMediaSpaceRole', () => {
    it('reads the role from the user-roles metadata record', () => {
      expect(resolveMediaSpaceRole({ roleMetadataXml: '<metadata><role>privateOnlyRole</role></metadata>' })).to.equal('privateOnlyRole');
    });

    it('falls back to role=<name> in partnerData, as older MediaSpace versions stored it', () => {
      expect(resolveMediaSpaceRole({ partnerData: 'role=adminRole' })).to.equal('adminRole');
      expect(resolveMediaSpaceRole({ partnerData: 'lang=en,role=viewerRole;x=y' })).to.equal('viewerRole');
    });

    it('prefers the metadata record over partnerData', () => {
      expect(resolveMediaSpaceRole({ roleMetadataXml: '<metadata><role>viewerRole</role></metadata>', partnerData: 'role=adminRole' })).to.equal('viewerRole');
    });

    it('counts a Kaltura admin user as unmoderatedAdminRole', () => {
      expect(resolveMediaSpaceRole({ isAdmin: true, roleMetadataXml: '<metadata><role>viewerRole</role></metadata>' })).to.equal('unmoderatedAdminRole');
    });

    it('gives no role to a user without one, or with a name MediaSpace does not know', () => {
      expect(resolveMediaSpaceRole({})).to.equal(null);
      expect(resolveMediaSpaceRole({ roleMetadataXml: '<metadata><role>superRole</role></metadata>', partnerData: 'role=root' })).to.equal(null);
    });
  });

  describe('#hasRoleAtLeast', () => {
    it('orders roles anonymous < viewer < private only < admin < unmoderated admin', () => {
      expect(hasRoleAtLeast('privateOnlyRole', 'privateOnlyRole')).to.equal(true);
      expect(hasRoleAtLeast('adminRole', 'privateOnlyRole')).to.equal(true);
      expect(hasRoleAtLeast('viewerRole', 'privateOnlyRole')).to.equal(false);
      expect(hasRoleAtLeast('anonymousRole', 'viewerRole')).to.equal(false);
    });

    it('treats only adminRole and unmoderatedAdminRole as MediaSpace administrators', () => {
      expect(['anonymousRole', 'viewerRole', 'privateOnlyRole', 'adminRole', 'unmoderatedAdminRole'].map((role) => isMediaSpaceAdmin(role as never))).to.deep.equal([false, false, false, true, true]);
    });
  });
});
