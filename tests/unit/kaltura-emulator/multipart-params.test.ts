import { expect } from 'chai';
import { multipartParams } from '../../../src/kaltura-emulator/multipart-params.ts';

describe('multipartParams', () => {
  const file = (fieldname: string, text: string) => ({ fieldname, originalname: 'clip.mp4', size: text.length, buffer: Buffer.from(text) });

  it('takes the call from the json field and puts each file under its parameter', () => {
    const params = multipartParams({ json: JSON.stringify({ ks: 'k', uploadTokenId: 't1' }) }, [file('fileData', 'abc')]);
    expect(params).to.include({ ks: 'k', uploadTokenId: 't1' });
    expect(params.fileData).to.deep.equal({ name: 'clip.mp4', size: 3, content: Buffer.from('abc') });
  });

  it('puts "N:name" parts into sub-request N of a multirequest', () => {
    const params = multipartParams({ json: JSON.stringify({ 0: { service: 'a' }, 1: { service: 'b' } }) }, [file('1:fileData', 'xyz')]);
    expect((params[1] as Record<string, unknown>).fileData).to.deep.include({ size: 3 });
    expect(params[0]).to.deep.equal({ service: 'a' });
  });

  it('refuses a json field that is not a JSON object with Kaltura\'s internal error', () => {
    expect(() => multipartParams({ json: '[1,2' }, [])).to.throw().with.property('code', 'INTERNAL_SERVERL_ERROR');
  });
});
