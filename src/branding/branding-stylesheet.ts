/**
 * GET /branding.css: the organisation's colours as the custom properties
 * app.css is written against. Every page links it after app.css as
 * /branding.css?v=<branding version>, so the address changes with each save
 * and the answer can be cached for a long time; a request for another
 * version (a page rendered just before a save) gets the current colours,
 * not cached.
 */
import type { RequestHandler } from 'express';
import type { Branding, BrandingService } from './branding-service.ts';
import { brandPalette } from './contrast.ts';

export function brandingStylesheet(branding: Pick<Branding, 'primaryColor' | 'secondaryColor'>): string {
  const palette = brandPalette(branding.primaryColor, branding.secondaryColor);
  return [
    '/* The organisation\'s colours, from the branding page. */',
    ':root {',
    `  --brand: ${palette.brand};`,
    `  --brand-strong: ${palette.brandStrong};`,
    `  --on-brand: ${palette.onBrand};`,
    `  --on-brand-strong: ${palette.onBrandStrong};`,
    `  --brand-text: ${palette.brandText};`,
    `  --accent: ${palette.accent};`,
    `  --accent-strong: ${palette.accentStrong};`,
    `  --on-accent: ${palette.onAccent};`,
    // A white gap, then a ring dark enough to see on any light background and around any brand-coloured button.
    `  --focus: 0 0 0 2px #ffffff, 0 0 0 5px ${palette.brandText};`,
    '}',
    '',
  ].join('\n');
}

export function serveBrandingStylesheet(branding: BrandingService): RequestHandler {
  return async (req, res) => {
    const current = await branding.current();
    const asked = Number(req.query.v);
    res.set('Cache-Control', asked === current.version ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.type('text/css').send(brandingStylesheet(current));
  };
}

/** The versioned stylesheet address and the logo for every page's layout; current() is remembered for a few seconds, so this costs no query per request. */
export function brandingLocals(branding: BrandingService): RequestHandler {
  return async (_req, res, next) => {
    const current = await branding.current();
    res.locals.brandingStylesheet = `/branding.css?v=${current.version}`;
    res.locals.brandingLogo = current.logoImageId ? `/images/${current.logoImageId}/header` : null;
    next();
  };
}
