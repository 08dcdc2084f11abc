import { expect } from 'chai';
import { cookieName, decideCookiePolicy } from '../../../src/lib/http/cookie-policy.ts';

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

describe('cookieName', () => {
  it('gives every Secure cookie the __Host- prefix: in production, on https, and partitioned in a cross-site frame', () => {
    for (const input of [
      { publicUrl: 'http://rooms.uni.edu', embedOrigins: [], production: true },
      { publicUrl: 'https://rooms.uni.edu', embedOrigins: ['https://mediaspace.uni.edu'], production: false },
      { publicUrl: 'https://rooms.vendor.com', embedOrigins: ['https://mediaspace.uni.edu'], production: true },
    ]) {
      expect(cookieName('lr_session', decideCookiePolicy(input))).to.equal('__Host-lr_session');
    }
  });

  it('keeps the plain name where the cookie cannot be Secure (plain http in development)', () => {
    expect(cookieName('lr_session', decideCookiePolicy({ publicUrl: 'http://localhost:3000', embedOrigins: [], production: false }))).to.equal('lr_session');
  });
});
