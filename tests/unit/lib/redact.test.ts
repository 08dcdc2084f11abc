import { expect } from 'chai';
import { requestForLog, responseForLog, withoutSecrets } from '../../../src/lib/logger/redact.ts';

describe('withoutSecrets', () => {
  it('blanks a KS, a launch token and an upload form\'s CSRF token, and keeps the rest of the address', () => {
    expect(withoutSecrets('/launch?ks=djJ8NDI0Mnx4eXo%3D&returnTo=%2Fmy-rooms')).to.equal('/launch?ks=[redacted]&returnTo=%2Fmy-rooms');
    expect(withoutSecrets('/embed/menu?ks=abc+def/ghi=')).to.equal('/embed/menu?ks=[redacted]');
    expect(withoutSecrets('/rooms/5b0c/launch?token=eyJh.eyJz.c2ln')).to.equal('/rooms/5b0c/launch?token=[redacted]');
    expect(withoutSecrets('/backend/courses/42/files/upload?folder=7&_csrf=abc.def#top')).to.equal('/backend/courses/42/files/upload?folder=7&_csrf=[redacted]#top');
    expect(withoutSecrets('/backend/courses?name=_csrf%3D1&kids=2')).to.equal('/backend/courses?name=_csrf%3D1&kids=2');
  });

  it('blanks the token of invitation and password-reset links, not the pages without one', () => {
    expect(withoutSecrets('/invitations/Abc_def-0123456789xyzXYZ')).to.equal('/invitations/[redacted]');
    expect(withoutSecrets('/invitations/sss-sQ8OPuE559E4tB0s')).to.equal('/invitations/[redacted]');
    expect(withoutSecrets('http://rooms.example/password-reset/Abc_def-0123456789xyzXYZ?x=1')).to.equal('http://rooms.example/password-reset/[redacted]?x=1');
    expect(withoutSecrets('/password-reset')).to.equal('/password-reset');
    expect(withoutSecrets('/backend/users/invitations')).to.equal('/backend/users/invitations');
  });

  it('finds them inside an encoded address (returnTo=…) and in JSON fields of the same names', () => {
    expect(withoutSecrets('/login?returnTo=%2Frooms%2Fx%2Flaunch%3Ftoken%3DeyJh.eyJz%26a%3D1')).to.equal('/login?returnTo=%2Frooms%2Fx%2Flaunch%3Ftoken%3D[redacted]%26a%3D1');
    expect(withoutSecrets('/login?returnTo=%2Finvitations%2FAbc_def-0123456789xyz')).to.equal('/login?returnTo=%2Finvitations%2F[redacted]');
    expect(withoutSecrets('{"query":{"ks":"djJ8\\"x","a":"b"},"headers":{"x-csrf-token":"t0k"}}')).to.equal('{"query":{"ks":"[redacted]","a":"b"},"headers":{"x-csrf-token":"[redacted]"}}');
  });
});

describe('requestForLog and responseForLog', () => {
  it('write the address without secrets, no parsed query or parameters, and no credential headers', () => {
    const logged = requestForLog({
      url: '/password-reset/Abc_def-0123456789xyzXYZ',
      query: { a: '1' },
      params: { token: 'Abc_def-0123456789xyzXYZ' },
      headers: { cookie: 'lr_session=s', 'x-csrf-token': 't', referer: 'http://h/invitations/Abc_def-0123456789xyzXYZ', accept: 'text/html' },
    });
    expect(logged).to.deep.equal({
      url: '/password-reset/[redacted]',
      headers: { cookie: '[redacted]', 'x-csrf-token': '[redacted]', referer: 'http://h/invitations/[redacted]', accept: 'text/html' },
    });
    expect(responseForLog({ headers: { location: '/rooms/1/launch?token=eyJ', 'set-cookie': ['lr_room=p'] } })).to.deep.equal({ headers: { location: '/rooms/1/launch?token=[redacted]', 'set-cookie': '[redacted]' } });
  });
});
