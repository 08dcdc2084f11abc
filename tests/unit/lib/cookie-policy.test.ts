import { expect } from 'chai';
import { decideCookiePolicy } from '../../../src/lib/http/cookie-policy.ts';

describe('decideCookiePolicy', () => {
  it('uses SameSite=Lax when MediaSpace is on the same site or does not frame the module', () => {
    expect(decideCookiePolicy({ publicUrl: 'https://rooms.uni.edu', embedOrigins: ['https://mediaspace.uni.edu'], production: true })).to.deep.equal({ sameSite: 'lax', secure: true, partitioned: false });
    expect(decideCookiePolicy({ publicUrl: 'http://localhost:3000', embedOrigins: [], production: false })).to.deep.equal({ sameSite: 'lax', secure: false, partitioned: false });
  });

  it('uses SameSite=None; Secure; Partitioned when a MediaSpace on another site frames the module', () => {
    expect(decideCookiePolicy({ publicUrl: 'https://rooms.vendor.com', embedOrigins: ['https://mediaspace.uni.edu'], production: true })).to.deep.equal({ sameSite: 'none', secure: true, partitioned: true });
  });

  it('makes cookies Secure in production even when the public URL is plain http behind a proxy', () => {
    expect(decideCookiePolicy({ publicUrl: 'http://rooms.uni.edu', embedOrigins: [], production: true }).secure).to.equal(true);
  });
});
