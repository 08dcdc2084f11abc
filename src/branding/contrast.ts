/**
 * Colour contrast as WCAG 2.x defines it (relative luminance of sRGB, ratio
 * (L1 + 0.05) / (L2 + 0.05)), and the colours the product derives from the
 * organisation's two: a darker shade for hover, the text colour that reads
 * best on each, and a shade of the primary colour dark enough for links on
 * the light page background.
 */

/** WCAG 2.x level AA for normal text. */
export const AA_TEXT = 4.5;
export const WHITE = '#ffffff';
/** The dark text the product puts on light colours. */
export const DARK = '#111111';
/** The darkest light surface text in the brand colour sits on (badges, hovered menu entries). */
export const LIGHT_SURFACE = '#e8f0fb';

const HEX = /^#[0-9a-f]{6}$/;

export function isHexColour(value: string): boolean {
  return HEX.test(value);
}

function channels(hex: string): [number, number, number] {
  if (!isHexColour(hex)) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)) as [number, number, number];
}

function toHex(rgb: number[]): string {
  return `#${rgb.map((value) => Math.max(0, Math.min(255, Math.round(value))).toString(16).padStart(2, '0')).join('')}`;
}

export function relativeLuminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [lighter, darker] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

/** Two decimals, cut rather than rounded: 4.499 must not show as a passing 4.50. */
export function displayRatio(ratio: number): number {
  return Math.floor(ratio * 100) / 100;
}

/** The colour mixed towards black: `amount` 0 keeps it, 1 gives black. */
export function darken(hex: string, amount: number): string {
  return toHex(channels(hex).map((value) => value * (1 - amount)));
}

export interface TextOnColour {
  colour: string;
  /** White text on the colour. */
  whiteRatio: number;
  /** Dark text on the colour. */
  darkRatio: number;
  /** What the product puts on it: whichever of the two reads better. */
  text: typeof WHITE | typeof DARK;
  textRatio: number;
}

export function textOn(colour: string): TextOnColour {
  const whiteRatio = contrastRatio(colour, WHITE);
  const darkRatio = contrastRatio(colour, DARK);
  const text = whiteRatio >= darkRatio ? WHITE : DARK;
  return { colour, whiteRatio, darkRatio, text, textRatio: Math.max(whiteRatio, darkRatio) };
}

/** The colour itself when it reads on `surface`, else the lightest darker shade of it that does. */
export function readableShadeOn(colour: string, surface: string, target = AA_TEXT): string {
  for (let amount = 0; amount < 1; amount += 0.02) {
    const shade = darken(colour, amount);
    if (contrastRatio(shade, surface) >= target) return shade;
  }
  return DARK;
}

/** Every colour the product's stylesheet takes from the branding. */
export interface BrandPalette {
  brand: string;
  brandStrong: string;
  onBrand: string;
  onBrandStrong: string;
  /** The primary colour as text (links) on light surfaces, darkened where it has to be. */
  brandText: string;
  accent: string;
  accentStrong: string;
  onAccent: string;
}

/** How much darker the hover shade is. */
const STRONG = 0.2;

export function brandPalette(primaryColour: string, secondaryColour: string): BrandPalette {
  const brandStrong = darken(primaryColour, STRONG);
  return {
    brand: primaryColour,
    brandStrong,
    onBrand: textOn(primaryColour).text,
    onBrandStrong: textOn(brandStrong).text,
    brandText: readableShadeOn(primaryColour, LIGHT_SURFACE),
    accent: secondaryColour,
    accentStrong: darken(secondaryColour, STRONG),
    onAccent: textOn(secondaryColour).text,
  };
}

export type ContrastWarning =
  /** White text falls below AA; the product uses dark text, which passes. */
  | { kind: 'darkTextInstead'; colour: string; whiteRatio: number; darkRatio: number }
  /** Neither white nor dark text reaches AA on it. */
  | { kind: 'noTextPasses'; colour: string; whiteRatio: number; darkRatio: number }
  /** As link text on the light page it falls below AA; links use a darker shade. */
  | { kind: 'linksDarker'; colour: string; ratio: number; shade: string; shadeRatio: number };

export interface ContrastReport {
  primary: TextOnColour & { onPageRatio: number; linkShade: string };
  secondary: TextOnColour;
  warnings: Array<ContrastWarning & { field: 'primaryColor' | 'secondaryColor' }>;
}

/** The check the branding page shows: what text goes on each colour, and where that text would fall below AA. */
export function contrastReport(primaryColour: string, secondaryColour: string): ContrastReport {
  const primary = textOn(primaryColour);
  const secondary = textOn(secondaryColour);
  const warnings: ContrastReport['warnings'] = [];
  for (const [field, check] of [['primaryColor', primary], ['secondaryColor', secondary]] as const) {
    if (check.textRatio < AA_TEXT) warnings.push({ field, kind: 'noTextPasses', colour: check.colour, whiteRatio: check.whiteRatio, darkRatio: check.darkRatio });
    else if (check.whiteRatio < AA_TEXT) warnings.push({ field, kind: 'darkTextInstead', colour: check.colour, whiteRatio: check.whiteRatio, darkRatio: check.darkRatio });
  }
  const onPageRatio = contrastRatio(primaryColour, WHITE);
  const linkShade = readableShadeOn(primaryColour, LIGHT_SURFACE);
  if (onPageRatio < AA_TEXT) {
    warnings.push({ field: 'primaryColor', kind: 'linksDarker', colour: primaryColour, ratio: onPageRatio, shade: linkShade, shadeRatio: contrastRatio(linkShade, WHITE) });
  }
  return { primary: { ...primary, onPageRatio, linkShade }, secondary, warnings };
}
