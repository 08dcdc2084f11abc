import { expect } from 'chai';
import { acceptedSession, hasRestrictingPrivilege } from '../../../src/kaltura/ks-validation.ts';

describe('ks-validation', () => {
  const NOW = Date.UTC(2030, 0, 1);
  const info = (fields: object = {}) => ({ objectType: 'KalturaSessionInfo', sessionType: 0, partnerId: 10, userId: 'vera', expiry: NOW / 1000 + 60, privileges: '', ...fields });
  const apiError = (code: string, message = code) => ({ objectType: 'KalturaAPIException', code, message });
  const user = { objectType: 'KalturaUser', id: 'vera' };

  class AdminKsRejected extends Error {}
  class KalturaFailed extends Error {}
  const accept = (sessionResult: unknown, proofResult: unknown) =>
    acceptedSession(sessionResult, proofResult, {
      partnerId: 10,
      now: NOW,
      adminKsRejected: () => {
        throw new AdminKsRejected();
      },
      kalturaFailed: () => {
        throw new KalturaFailed();
      },
    });
  const codeOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return (error as { code?: string }).code ?? (error as Error).constructor.name;
    }
    return 'accepted';
  };

  describe('#acceptedSession', () => {
    it('accepts a live USER session of this partner with a user', () => {
      expect(accept(info(), user)).to.include({ userId: 'vera', partnerId: 10 });
    });

    it('names why the viewer\'s own call was refused', () => {
      expect(codeOf(() => accept(info(), apiError('INVALID_KS', 'Invalid KS "EXPIRED", Error "-1,INVALID_STR"')))).to.equal('KS_EXPIRED');
      expect(codeOf(() => accept(info(), apiError('INVALID_KS', 'Invalid KS "LOGOUT", Error "-1,INVALID_STR"')))).to.equal('KS_INVALID');
      expect(codeOf(() => accept(info(), apiError('INVALID_KS', 'Invalid KS "EXCEEDED_ACTIONS_LIMIT", Error "-1,INVALID_STR"')))).to.equal('KS_RESTRICTED');
      expect(codeOf(() => accept(apiError('INTERNAL_SERVERL_ERROR'), apiError('INVALID_KS', 'Invalid KS "x", Error "-1,INVALID_STR"')))).to.equal('KS_INVALID');
    });

    it('refuses what is not a MediaSpace login', () => {
      expect(codeOf(() => accept(info({ sessionType: 2 }), user))).to.equal('KS_NOT_USER_SESSION');
      expect(codeOf(() => accept(info({ userId: '' }), user))).to.equal('KS_NO_USER');
      expect(codeOf(() => accept(info({ partnerId: 11 }), user))).to.equal('KS_OTHER_PARTNER');
      expect(codeOf(() => accept(apiError('PARTNER_ACCESS_FORBIDDEN'), user))).to.equal('KS_OTHER_PARTNER');
      expect(codeOf(() => accept(info({ privileges: 'privacycontext:x,actionslimit:3' }), user))).to.equal('KS_RESTRICTED');
      expect(codeOf(() => accept(info({ expiry: NOW / 1000 }), user))).to.equal('KS_EXPIRED');
      expect(codeOf(() => accept(info(), apiError('INVALID_USER_ID')))).to.equal('KALTURA_USER_UNKNOWN');
      expect(codeOf(() => accept(info(), apiError('USER_BLOCKED')))).to.equal('KALTURA_USER_BLOCKED');
    });

    it('blames Kaltura, not the viewer, when the admin session or Kaltura itself failed', () => {
      expect(codeOf(() => accept(apiError('INVALID_KS', 'Invalid KS "EXPIRED"'), user))).to.equal('AdminKsRejected');
      expect(codeOf(() => accept(apiError('INTERNAL_SERVERL_ERROR'), user))).to.equal('KalturaFailed');
      expect(codeOf(() => accept({ unexpected: true }, user))).to.equal('KalturaFailed');
    });
  });

  describe('#hasRestrictingPrivilege', () => {
    it('finds a narrowing privilege among others, whatever its value', () => {
      expect(hasRestrictingPrivilege('')).to.equal(false);
      expect(hasRestrictingPrivilege('privacycontext:MediaSpace,enableentitlement,disableentitlement')).to.equal(false);
      expect(hasRestrictingPrivilege('privacycontext:MediaSpace, setrole:PLAYBACK_BASE_ROLE')).to.equal(true);
      expect(hasRestrictingPrivilege('iprestrict:10.0.0.1/10.0.0.2')).to.equal(true);
      expect(hasRestrictingPrivilege('view:*,widget:1')).to.equal(true);
    });
  });
});
