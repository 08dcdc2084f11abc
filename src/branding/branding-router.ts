/**
 * /backend/branding, for administrators: the organisation's logo and its two
 * colours. Colours are checked against WCAG AA and saved even when text on
 * them would read poorly (the page says so, with the ratios; the product then
 * chooses the text colour that reads best). Every save names the version it
 * was made on; a stale one is refused with 409 and changes nothing.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import { AppError, ConflictError, ValidationError } from '../lib/errors/app-error.ts';
import { runFormChange, versionOf, wantsJson } from '../lib/http/forms.ts';
import { acceptOneFile, formatBytes, type ImageUploads } from '../lib/http/multipart.ts';
import { parseInput } from '../lib/http/validate.ts';
import { ImageService } from '../images/image-service.ts';
import type { Branding, BrandingService, SaveOutcome } from './branding-service.ts';
import { AA_TEXT, contrastReport, displayRatio, isHexColour, type ContrastReport } from './contrast.ts';

const FORM_STATUSES = new Set([400, 409, 413]);
type Section = 'logo' | 'colours' | 'name';
/** The organisation's name as mails carry it: a sender's display name, one line. */
export const ORGANISATION_NAME_MAX = 100;
type ColourField = 'primaryColor' | 'secondaryColor';

export interface BrandingRouterDeps {
  branding: BrandingService;
  uploads: ImageUploads;
}

/** A colour in lower case, the leading # optional; anything else comes back as it was typed, for the form to show. */
function normaliseColour(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const colour = `#${text.replace(/^#/, '').toLowerCase()}`;
  return isHexColour(colour) ? colour : text;
}

/**
 * The colour a form sends: the text field and the colour picker carry the same value (a page
 * script keeps them together); without the script, the one the person changed counts.
 */
function chosenColour(body: Record<string, unknown>, field: ColourField, saved: string): string {
  const typed = normaliseColour(body[field]);
  const picked = normaliseColour(body[`${field}Picker`]);
  if (typed !== saved || !isHexColour(picked)) return typed;
  return picked;
}

export function createBrandingRouter({ branding, uploads }: BrandingRouterDeps): Router {
  const router = Router();
  const administrators = allowRoles('administrator');
  const receiveLogo = acceptOneFile({
    field: 'logo',
    maxBytes: uploads.maxImageBytes,
    // The logo form: _csrf and version.
    form: { fields: 2 },
    tmpDir: uploads.tmpDir,
    rateLimit: uploads.rateLimit,
    messages: { tooLarge: 'branding:errors.logoTooLarge', tooLargeHelp: 'branding:errors.logoTooLargeHelp', missing: 'branding:errors.logoMissing' },
  });

  function formatRatio(res: Response, ratio: number): string {
    return new Intl.NumberFormat(String(res.locals.language ?? 'en'), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(displayRatio(ratio));
  }

  /** The check as people read it: every ratio formatted, every warning a sentence. */
  function describeContrast(req: Request, res: Response, report: ContrastReport) {
    const ratio = (value: number) => formatRatio(res, value);
    const aa = new Intl.NumberFormat(String(res.locals.language ?? 'en')).format(AA_TEXT);
    const colours = (check: ContrastReport['secondary']) => ({
      colour: check.colour,
      whiteRatio: ratio(check.whiteRatio),
      darkRatio: ratio(check.darkRatio),
      text: check.text,
      textIsWhite: check.text === '#ffffff',
    });
    return {
      primary: colours(report.primary),
      secondary: colours(report.secondary),
      warnings: report.warnings.map((warning) => ({
        field: warning.field,
        kind: warning.kind,
        message:
          warning.kind === 'linksDarker'
            ? req.t('branding:warnings.linksDarker', { colour: warning.colour, ratio: ratio(warning.ratio), shade: warning.shade, shadeRatio: ratio(warning.shadeRatio), aa })
            : req.t(`branding:warnings.${warning.kind}`, { colour: warning.colour, white: ratio(warning.whiteRatio), dark: ratio(warning.darkRatio), aa }),
      })),
    };
  }

  function brandingView(current: Branding) {
    return {
      primaryColor: current.primaryColor,
      secondaryColor: current.secondaryColor,
      organisationName: current.organisationName,
      logo: current.logoImageId ? ImageService.url(current.logoImageId, 'header') : null,
      version: current.version,
      updatedAt: current.updatedAt,
    };
  }

  interface PageState {
    section?: Section;
    status?: number;
    error?: AppError | null;
    form?: { primaryColor: string; secondaryColor: string };
    /** The name as the person typed it, after a refused save. */
    organisationName?: string;
    notice?: string | null;
  }

  async function render(req: Request, res: Response, state: PageState = {}) {
    const current = await branding.current({ fresh: true });
    const form = state.form ?? { primaryColor: current.primaryColor, secondaryColor: current.secondaryColor };
    // The check follows what the form shows, as long as it is a colour at all.
    const checked = {
      primary: isHexColour(form.primaryColor) ? form.primaryColor : current.primaryColor,
      secondary: isHexColour(form.secondaryColor) ? form.secondaryColor : current.secondaryColor,
    };
    const error = state.error ?? null;
    res
      .status(state.status ?? 200)
      .set('Cache-Control', 'no-store')
      .render('branding/index', {
        title: req.t('branding:title'),
        branding: brandingView(current),
        form,
        organisationName: state.organisationName ?? current.organisationName,
        nameMax: ORGANISATION_NAME_MAX,
        pickers: checked,
        contrast: describeContrast(req, res, contrastReport(checked.primary, checked.secondary)),
        section: state.section ?? null,
        problem: error ? { message: error.message, help: error.help ?? null } : null,
        errors: error instanceof ValidationError ? error.fields : error?.status === 413 ? { logo: error.message } : {},
        maxImage: formatBytes(uploads.maxImageBytes),
        aa: new Intl.NumberFormat(String(res.locals.language ?? 'en')).format(AA_TEXT),
        flash: state.notice ?? null,
      });
  }

  /** Runs a save and says whether it was made; a stale version is refused (409) like any problem the form shows. */
  function submit(req: Request, res: Response, section: Section, form: PageState['form'] | string, change: () => Promise<SaveOutcome>): Promise<boolean> {
    return runFormChange(
      req,
      async () => {
        const outcome = await change();
        if (!outcome.saved) throw new ConflictError(req.t('common:errors.conflict'), { help: req.t('common:errors.conflictHelp'), code: 'STALE_VERSION' });
      },
      FORM_STATUSES,
      (error) => render(req, res, { section, status: error.status, error, ...(typeof form === 'string' ? { organisationName: form } : { form }) }),
    );
  }

  async function answer(req: Request, res: Response, saved: string) {
    if (!wantsJson(req)) return res.redirect(303, `/backend/branding?saved=${saved}`);
    const current = await branding.current({ fresh: true });
    res.set('Cache-Control', 'no-store').json({ branding: brandingView(current), contrast: describeContrast(req, res, contrastReport(current.primaryColor, current.secondaryColor)) });
  }

  router.get('/branding', administrators, async (req, res) => {
    if (wantsJson(req)) return answer(req, res, '');
    const saved = typeof req.query.saved === 'string' && /^(colours|logo|logoRemoved|name)$/.test(req.query.saved) ? req.query.saved : null;
    await render(req, res, { notice: saved ? req.t(`branding:saved.${saved}`) : null });
  });

  router.post('/branding/colours', administrators, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const saved = await branding.current({ fresh: true });
    const form = { primaryColor: chosenColour(body, 'primaryColor', saved.primaryColor), secondaryColor: chosenColour(body, 'secondaryColor', saved.secondaryColor) };
    const done = await submit(req, res, 'colours', form, async () => {
      const version = versionOf(body, req.t, 'branding:errors.version');
      const hex = z.string().refine(isHexColour, req.t('branding:errors.colour'));
      const colours = parseInput(z.object({ primaryColor: hex, secondaryColor: hex }), form, req.t('common:errors.fixBelow'), undefined, {
        primaryColor: req.t('branding:colours.primary'),
        secondaryColor: req.t('branding:colours.secondary'),
      });
      return branding.saveColours(colours, version, currentActor(req).userId);
    });
    if (done) await answer(req, res, 'colours');
  });

  router.post('/branding/name', administrators, async (req, res) => {
    const typed = typeof req.body?.organisationName === 'string' ? req.body.organisationName : '';
    const done = await submit(req, res, 'name', typed, async () => {
      const version = versionOf(req.body, req.t, 'branding:errors.version');
      const name = z
        .string()
        .trim()
        .max(ORGANISATION_NAME_MAX, req.t('branding:errors.nameTooLong', { max: ORGANISATION_NAME_MAX }))
        // It becomes a mail's sender name: one line, nothing that reads as an address's brackets or quotes.
        .refine((text) => !/[\p{Cc}\p{Cf}<>"]/u.test(text), req.t('branding:errors.nameCharacters'));
      const form = parseInput(z.object({ organisationName: name }), { organisationName: typed }, req.t('common:errors.fixBelow'), undefined, {
        organisationName: req.t('branding:name.label'),
      });
      return branding.saveOrganisationName(form.organisationName, version, currentActor(req).userId);
    });
    if (done) await answer(req, res, 'name');
  });

  router.post('/branding/logo', administrators, async (req, res) => {
    const done = await submit(req, res, 'logo', undefined, async () => {
      const file = await receiveLogo(req, res);
      const version = versionOf(req.body, req.t, 'branding:errors.version');
      return branding.replaceLogo(file, version, currentActor(req).userId).catch((error: unknown) => {
        if (!(error instanceof ValidationError)) throw error;
        // The image service's own message is not in the person's language.
        const message = error.code === 'IMAGE_TOO_MANY_PIXELS' ? req.t('branding:errors.logoPixels') : req.t('branding:errors.logoType');
        throw new ValidationError(message, { logo: message }, { code: error.code });
      });
    });
    if (done) await answer(req, res, 'logo');
  });

  router.post('/branding/logo/remove', administrators, async (req, res) => {
    const done = await submit(req, res, 'logo', undefined, () => branding.removeLogo(versionOf(req.body, req.t, 'branding:errors.version'), currentActor(req).userId));
    if (done) await answer(req, res, 'logoRemoved');
  });

  return router;
}
