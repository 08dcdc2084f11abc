import { expect } from 'chai';
import { brandPalette, contrastRatio, contrastReport, DARK, displayRatio, isHexColour, LIGHT_SURFACE, readableShadeOn, relativeLuminance, textOn, WHITE } from '../../../src/branding/contrast.ts';
import { brandingStylesheet } from '../../../src/branding/branding-stylesheet.ts';

describe('contrast', () => {
  describe('#contrastRatio', () => {
    it('follows WCAG 2.x: 21:1 for black on white, 1:1 for a colour on itself, either order', () => {
      expect(relativeLuminance('#ffffff')).to.equal(1);
      expect(relativeLuminance('#000000')).to.equal(0);
      expect(contrastRatio('#000000', '#ffffff')).to.equal(21);
      expect(contrastRatio('#ffffff', '#000000')).to.equal(21);
      expect(contrastRatio('#0b5cad', '#0b5cad')).to.equal(1);
    });

    it('gives the ratios published for well-known pairs', () => {
      // #767676 is the lightest grey that passes AA on white; #777777 is the first that fails.
      expect(displayRatio(contrastRatio('#767676', WHITE))).to.equal(4.54);
      expect(contrastRatio('#777777', WHITE)).to.be.below(4.5);
      expect(displayRatio(contrastRatio('#ffff00', WHITE))).to.equal(1.07);
    });
  });

  describe('#displayRatio', () => {
    it('cuts to two decimals, so that a failing 4.499 never shows as 4.50', () => {
      expect(displayRatio(4.499)).to.equal(4.49);
      expect(displayRatio(17.586)).to.equal(17.58);
    });
  });

  describe('#textOn', () => {
    it('puts white on dark colours and dark text on light ones, whichever reads better', () => {
      expect(textOn('#0b5cad').text).to.equal(WHITE);
      expect(textOn('#ffff00').text).to.equal(DARK);
      expect(textOn('#808080')).to.include({ text: DARK }).and.satisfy((check: { textRatio: number; darkRatio: number }) => check.textRatio === check.darkRatio);
    });
  });

  describe('#readableShadeOn', () => {
    it('keeps a colour that already reads on the surface and darkens one that does not, just enough', () => {
      expect(readableShadeOn('#0b5cad', LIGHT_SURFACE)).to.equal('#0b5cad');
      const shade = readableShadeOn('#ffff00', LIGHT_SURFACE);
      expect(contrastRatio(shade, LIGHT_SURFACE)).to.be.at.least(4.5);
      // Just enough: not much darker than it has to be.
      expect(contrastRatio(shade, LIGHT_SURFACE)).to.be.below(5);
    });
  });

  describe('#contrastReport', () => {
    it('has nothing to say about the product\'s own colours', () => {
      expect(contrastReport('#0b5cad', '#1f7a4d').warnings).to.deep.equal([]);
    });

    it('warns for white text on a light colour, for a colour no text reads on, and for light links', () => {
      const report = contrastReport('#ffff00', '#777777');
      expect(report.warnings.map((warning) => `${warning.field}:${warning.kind}`)).to.deep.equal(['primaryColor:darkTextInstead', 'secondaryColor:noTextPasses', 'primaryColor:linksDarker']);
    });
  });

  describe('brandingStylesheet', () => {
    it('turns the two colours into the custom properties app.css uses', () => {
      const css = brandingStylesheet({ primaryColor: '#ffff00', secondaryColor: '#1f7a4d' });
      const palette = brandPalette('#ffff00', '#1f7a4d');
      expect(css).to.contain('--brand: #ffff00;').and.contain('--on-brand: #111111;').and.contain('--accent: #1f7a4d;').and.contain('--on-accent: #ffffff;');
      expect(css).to.contain(`--brand-strong: ${palette.brandStrong};`).and.contain(`--brand-text: ${palette.brandText};`);
      expect(isHexColour(palette.brandStrong)).to.equal(true);
    });
  });
});
