import { expect } from 'chai';
import { safeReturnPath } from '../../../src/lib/http/return-path.ts';
import { ValidationError } from '../../../src/lib/errors/app-error.ts';
import { OPEN_REDIRECTS } from '../../support/open-redirects.ts';

describe('safeReturnPath', () => {
  it('keeps a path of this service with its query and fragment', () => {
    expect(safeReturnPath('/channels/12/meeting?x=1#top', '/')).to.equal('/channels/12/meeting?x=1#top');
  });

  it('uses the fallback when nothing is given', () => {
    expect(safeReturnPath(undefined, '/home')).to.equal('/home');
  });

  it('answers the normalised path, the one a browser would go to', () => {
    expect(safeReturnPath('/a/./b/../c?x=1', '/')).to.equal('/a/c?x=1');
    expect(safeReturnPath('/x/..//..', '/')).to.equal('/');
  });

  for (const hostile of OPEN_REDIRECTS) {
    it(`refuses ${JSON.stringify(hostile)}, which normalises to another host`, () => {
      expect(() => safeReturnPath(hostile, '/')).to.throw(ValidationError, 'page of Live Rooms');
    });
  }

  for (const hostile of ['https://evil.example/', '//evil.example', '/\\evil.example', 'evil.example', 'javascript:alert(1)', '/\r\nLocation: x', '/\t/evil.example', ' /x']) {
    it(`refuses ${JSON.stringify(hostile)}`, () => {
      expect(() => safeReturnPath(hostile, '/')).to.throw(ValidationError, 'page of Live Rooms');
    });
  }
});
