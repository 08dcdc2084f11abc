import { expect } from 'chai';
import { withoutTokens } from '../../../src/lib/http/csrf.ts';

describe('withoutTokens', () => {
  it('keeps the CSRF token of an upload form out of the request log, and the rest of the address as it was', () => {
    expect(withoutTokens('/backend/courses/42/files/upload?_csrf=abc.def&folder=7')).to.equal('/backend/courses/42/files/upload?_csrf=[redacted]&folder=7');
    expect(withoutTokens('/backend/branding/logo?folder=1&_csrf=secret')).to.equal('/backend/branding/logo?folder=1&_csrf=[redacted]');
    expect(withoutTokens('/backend/courses?name=_csrf=1')).to.equal('/backend/courses?name=_csrf=1');
  });
});
