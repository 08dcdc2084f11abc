import { expect } from 'chai';
import { checkName, cleanUploadedName, contentDisposition, NAME_MAX, siblingKey, withNumber } from '../../../src/files/file-names.ts';
import { contentTypeFor, servedContentType } from '../../../src/files/file-types.ts';

describe('file names', () => {
  describe('#checkName', () => {
    it('trims and composes (NFC) a typed name', () => {
      expect(checkName('  Cafe\u0301 notes  ')).to.deep.equal({ name: 'Café notes' });
    });

    it('takes exactly NAME_MAX characters, counted as characters, not UTF-16 units', () => {
      expect(checkName('😀'.repeat(NAME_MAX))).to.deep.equal({ name: '😀'.repeat(NAME_MAX) });
      expect(checkName('a'.repeat(NAME_MAX + 1))).to.deep.equal({ problem: 'tooLong' });
    });

    it('refuses empty names, slashes, dot names and invisible characters', () => {
      const cases: Array<[unknown, string]> = [
        ['', 'empty'],
        [' \t ', 'empty'],
        [undefined, 'empty'],
        [42, 'empty'],
        ['a/b', 'slash'],
        ['a\\b', 'slash'],
        ['.', 'dots'],
        ['..', 'dots'],
        ['a\u0000b', 'invisible'],
        ['a\r\nb', 'invisible'],
        ['a\u200bb', 'invisible'],
        ['a\u202eb', 'invisible'],
        ['a\u2028b', 'invisible'],
      ];
      for (const [raw, problem] of cases) expect(checkName(raw), JSON.stringify(raw)).to.deep.equal({ problem });
    });
  });

  describe('#cleanUploadedName', () => {
    it('keeps only the last part of a path and drops invisible characters', () => {
      expect(cleanUploadedName('C:\\Users\\pat\\notes.txt')).to.equal('notes.txt');
      expect(cleanUploadedName('../../etc/passwd')).to.equal('passwd');
      expect(cleanUploadedName('re\u0000port\r\n.pdf')).to.equal('report.pdf');
    });

    it('names nameless uploads "file"', () => {
      for (const raw of ['', '   ', '..', 'folder/', '\u200b']) expect(cleanUploadedName(raw), JSON.stringify(raw)).to.equal('file');
    });

    it('shortens long names to NAME_MAX characters, keeping the extension', () => {
      const cleaned = cleanUploadedName(`${'x'.repeat(300)}.pdf`);
      expect([...cleaned]).to.have.length(NAME_MAX);
      expect(cleaned.endsWith('.pdf')).to.equal(true);
    });
  });

  describe('#withNumber', () => {
    it('numbers before the extension and stays within NAME_MAX', () => {
      expect(withNumber('report.pdf', 2)).to.equal('report (2).pdf');
      expect(withNumber('README', 3)).to.equal('README (3)');
      expect(withNumber('.env', 2)).to.equal('.env (2)');
      const long = withNumber(`${'y'.repeat(NAME_MAX - 4)}.txt`, 12);
      expect([...long]).to.have.length(NAME_MAX);
      expect(long.endsWith(' (12).txt')).to.equal(true);
    });
  });

  describe('#siblingKey', () => {
    it('tells names apart without regard to case or Unicode composition', () => {
      expect(siblingKey(null, 'CAFÉ')).to.equal(siblingKey(null, 'cafe\u0301'));
      expect(siblingKey('folder', 'a')).to.not.equal(siblingKey(null, 'a'));
    });
  });

  describe('#contentDisposition', () => {
    it('gives an ASCII fallback and the exact name in UTF-8 (RFC 6266, RFC 5987)', () => {
      expect(contentDisposition('Résumé 2024.pdf')).to.equal(`attachment; filename="Resume 2024.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202024.pdf`);
      expect(contentDisposition('日本語.txt')).to.equal(`attachment; filename="___.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt`);
    });

    it('lets no quote, backslash, percent, semicolon, CR or LF out of the fallback, and escapes them in filename* (slashes become _ in both)', () => {
      const header = contentDisposition('a"b\\c%d;e\r\nSet-Cookie: x=1\'(*).txt');
      expect(header).to.not.match(/[\r\n]/);
      expect(header).to.equal(`attachment; filename="a_b_c_d_eSet-Cookie: x=1'(*).txt"; filename*=UTF-8''a%22b_c%25d%3BeSet-Cookie%3A%20x%3D1%27%28%2A%29.txt`);
    });

    it('never sends an empty name', () => {
      expect(contentDisposition('\u200b')).to.equal(`attachment; filename="download"; filename*=UTF-8''download`);
    });
  });

  describe('content types', () => {
    it('comes from the extension, never a type a browser would render as a page', () => {
      expect(contentTypeFor('slides.PDF')).to.equal('application/pdf');
      for (const name of ['page.html', 'page.htm', 'image.svg', 'data.xml', 'run.js', 'noextension']) expect(contentTypeFor(name), name).to.equal('application/octet-stream');
      expect(servedContentType('text/html')).to.equal('application/octet-stream');
      expect(servedContentType('image/png')).to.equal('image/png');
    });
  });
});
