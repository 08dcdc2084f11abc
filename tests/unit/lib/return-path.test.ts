import { expect } from 'chai';
import { safeReturnPath } from '../../../src/lib/http/return-path.ts';
import { ValidationError } from '../../../src/lib/errors/app-error.ts';

describe('safeReturnPath', () => {
  it('keeps a path of this service with its query and fragment', () => {
    expect(safeReturnPath('/channels/12/meeting?x=1#top', '/')).to.equal('/channels/12/meeting?x=1#top');
  });

  it('uses the fallback when nothing is given', () => {
    expect(safeReturnPath(undefined, '/home')).to.equal('/home');
  });

  for (const hostile of ['https://evil.example/', '//evil.example', '/\\evil.example', 'evil.example', 'javascript:alert(1)', '/\r\nLocation: x', '/\t/evil.example', ' /x']) {
    it(`refuses ${JSON.stringify(hostile)}`, () => {
      expect(() => safeReturnPath(hostile, '/')).to.throw(ValidationError, 'page of Live Rooms');
    });
  }
});
