/**
 * /backend/plans (administrators): the plan catalogue with prices, the
 * licences per plan, recording hours, and licence changes in two steps: a
 * preview (what it costs now and from the next period), then the confirmation,
 * which carries the preview's proration moment and a one-time token (the
 * idempotency key: the same confirmation sent twice changes the subscription once).
 */
import { Router, type Request, type Response } from 'express';
import { AppError, ValidationError } from '../lib/errors/app-error.ts';
import { wantsJson } from '../lib/http/forms.ts';
import { billingFormat } from './billing-format.ts';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import type { BillingAccountService } from './billing-account-service.ts';
import { parseConfirmation, parseLicenceChange } from './billing-forms.ts';
import type { ChangePreview, PlansService } from './plans-service.ts';

export interface PlansRouterDeps {
  plans: PlansService;
  account: BillingAccountService;
}

/** Problems the person can fix on the page: bad input, a guard, a declined card. */
const FORM_STATUSES = new Set([400, 402, 409]);

export function createPlansRouter({ plans, account }: PlansRouterDeps): Router {
  const router = Router();
  router.use('/plans', allowRoles('administrator'));

  async function render(req: Request, res: Response, status: number, extra: { preview?: ChangePreview | null; problem?: AppError | null; values?: Record<string, unknown> }): Promise<void> {
    const [offers, recording, audit] = await Promise.all([plans.offers(), plans.recordingHours(), account.auditTrail(20)]);
    const problem = extra.problem ?? null;
    res.set('Cache-Control', 'no-store');
    res.status(status).render('billing/plans', {
      title: req.t('billing:plans.title'),
      offers,
      recording,
      audit,
      preview: extra.preview ?? null,
      problem: problem && problem.say(req.t),
      errors: problem instanceof ValidationError ? problem.sayFields(req.t) : {},
      values: extra.values ?? {},
      ...billingFormat(String(res.locals.language ?? 'en')),
      flash: req.query.changed !== undefined ? req.t('billing:plans.changed') : null,
    });
  }

  router.get('/plans', async (req, res) => {
    if (wantsJson(req)) {
      const [offers, recording] = await Promise.all([plans.offers(), plans.recordingHours()]);
      return res.set('Cache-Control', 'no-store').json({ plans: offers.map(offerJson), recordingHours: recording });
    }
    await render(req, res, 200, {});
  });

  router.post('/plans/preview', async (req, res) => {
    try {
      const preview = await plans.preview(currentActor(req), parseLicenceChange(req), req.t);
      if (wantsJson(req)) return res.json(preview);
      await render(req, res, 200, { preview, values: req.body as Record<string, unknown> });
    } catch (error) {
      if (wantsJson(req) || !(error instanceof AppError) || !FORM_STATUSES.has(error.status)) throw error;
      await render(req, res, error.status, { problem: error, values: req.body as Record<string, unknown> });
    }
  });

  router.post('/plans/change', async (req, res) => {
    try {
      const licences = await plans.apply(currentActor(req), parseLicenceChange(req), parseConfirmation(req), req.t);
      if (wantsJson(req)) return res.json({ licences });
      res.redirect(303, '/backend/plans?changed=1');
    } catch (error) {
      if (wantsJson(req) || !(error instanceof AppError) || !FORM_STATUSES.has(error.status)) throw error;
      await render(req, res, error.status, { problem: error, values: req.body as Record<string, unknown> });
    }
  });

  return router;
}

function offerJson(offer: Awaited<ReturnType<PlansService['offers']>>[number]) {
  const { plan, price } = offer;
  return {
    planId: plan.id,
    label: plan.label,
    includes: { virtualClassrooms: plan.virtualClassrooms, cloudRecordingHours: plan.cloudRecordingHours, selfPacedCourses: plan.selfPacedCourses, webcamUsers: plan.webcamUsers },
    price: price && { unitAmount: price.unitAmount, currency: price.currency, interval: price.interval },
    purchased: offer.purchased,
    inUse: offer.inUse,
    free: offer.free,
  };
}
