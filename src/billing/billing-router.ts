/**
 * /backend/billing (administrators): the overview (plans, period, next
 * invoice, card, contact, invoices past due with what to do), the invoice
 * history with PDFs, the billing contact and address, and cards: added on
 * Stripe's hosted Checkout page (setup mode) and back, made default, removed.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { wantsJson } from '../lib/http/forms.ts';
import { billingFormat } from './billing-format.ts';
import { allowRoles, currentActor } from '../backend/backend-access.ts';
import type { BillingAccountService } from './billing-account-service.ts';
import { countries, parseContact, parseContactEmail, parseTaxId, TAX_ID_TYPES } from './billing-forms.ts';
import type { BillingContacts } from './billing-contacts.ts';
import type { SubscriptionEnding } from './subscription-ending.ts';

export interface BillingRouterDeps {
  account: BillingAccountService;
  ending: SubscriptionEnding;
  contacts: BillingContacts;
  publicUrl: string;
}

const FLASHES = ['contactSaved', 'cardSaved', 'cardCancelled', 'cardRemoved', 'cardDefault', 'invoicePaid', 'ending', 'resumed', 'taxIdAdded', 'taxIdRemoved', 'contactAdded', 'contactRemoved'] as const;
const INVOICES_PER_PAGE = 10;
const stripeId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_]{1,200}$`));

export function createBillingRouter({ account, ending, contacts, publicUrl }: BillingRouterDeps): Router {
  const router = Router();
  router.use('/billing', allowRoles('administrator'));

  async function render(req: Request, res: Response, status: number, extra: { problem?: AppError | null; values?: Record<string, unknown> | null; formValues?: Record<string, unknown> | null } = {}): Promise<void> {
    const after = typeof req.query.after === 'string' && stripeId('in').safeParse(req.query.after).success ? req.query.after : null;
    const [overview, history, contactList] = await Promise.all([account.overview(), account.invoices(after, INVOICES_PER_PAGE), contacts.list()]);
    const problem = extra.problem ?? null;
    const flash = FLASHES.find((key) => req.query[key] !== undefined);
    res.set('Cache-Control', 'no-store');
    res.status(status).render('billing/index', {
      title: req.t('billing:overview.title'),
      overview,
      history,
      countries: countries(String(res.locals.language ?? 'en')),
      problem: problem && problem.say(req.t),
      errors: problem instanceof ValidationError ? problem.sayFields(req.t) : {},
      values: extra.values ?? null,
      formValues: extra.formValues ?? {},
      contacts: contactList,
      taxIdTypes: TAX_ID_TYPES,
      ...billingFormat(String(res.locals.language ?? 'en')),
      flash: flash ? req.t(`billing:flash.${flash}`) : null,
    });
  }

  router.get('/billing', async (req, res) => {
    if (wantsJson(req)) {
      const after = typeof req.query.after === 'string' && stripeId('in').safeParse(req.query.after).success ? req.query.after : null;
      const [overview, history] = await Promise.all([account.overview(), account.invoices(after, INVOICES_PER_PAGE)]);
      return res.set('Cache-Control', 'no-store').json({ ...overview, invoices: history.invoices, hasMore: history.hasMore });
    }
    await render(req, res, 200);
  });

  router.post('/billing/contact', async (req, res) => {
    try {
      const customer = await account.updateContact(currentActor(req), parseContact(req), req.t);
      if (wantsJson(req)) return res.json({ customer });
      res.redirect(303, '/backend/billing?contactSaved=1#contact');
    } catch (error) {
      if (wantsJson(req) || !(error instanceof ValidationError)) throw error;
      await render(req, res, 400, { problem: error, values: req.body as Record<string, unknown> });
    }
  });

  router.post('/billing/tax-ids', async (req, res) => {
    try {
      const taxId = await account.addTaxId(currentActor(req), parseTaxId(req), req.t);
      if (wantsJson(req)) return res.status(201).json({ taxId });
      res.redirect(303, '/backend/billing?taxIdAdded=1#tax-ids');
    } catch (error) {
      if (wantsJson(req) || !(error instanceof ValidationError)) throw error;
      await render(req, res, 400, { problem: error, formValues: req.body as Record<string, unknown> });
    }
  });

  router.post('/billing/tax-ids/:id/remove', async (req, res) => {
    const id = stripeId('txi').safeParse(req.params.id);
    if (!id.success) throw new NotFoundError(req.t('billing:taxIds.notFound'));
    await account.removeTaxId(currentActor(req), id.data, req.t);
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/backend/billing?taxIdRemoved=1#tax-ids');
  });

  router.post('/billing/contacts', async (req, res) => {
    try {
      const email = parseContactEmail(req);
      const contact = await contacts.add(currentActor(req), email, String(res.locals.language ?? 'en'), await account.billingEmail(), req.t);
      if (wantsJson(req)) return res.status(201).json({ contact });
      res.redirect(303, '/backend/billing?contactAdded=1#contacts');
    } catch (error) {
      if (wantsJson(req) || !(error instanceof ValidationError)) throw error;
      await render(req, res, 400, { problem: error, formValues: { contactEmail: (req.body as Record<string, unknown>).contactEmail } });
    }
  });

  router.post('/billing/contacts/:id/remove', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new NotFoundError(req.t('billing:contacts.notFound'));
    await contacts.remove(currentActor(req), id.data, req.t);
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/backend/billing?contactRemoved=1#contacts');
  });

  router.post('/billing/card', async (req, res) => {
    const url = await account.startCardSetup(req.t, `${publicUrl}/backend/billing/card/done`, `${publicUrl}/backend/billing?cardCancelled=1`);
    if (wantsJson(req)) return res.json({ url });
    res.redirect(303, url);
  });

  router.get('/billing/card/done', async (req, res) => {
    const sessionId = stripeId('cs_test|cs_live|cs').safeParse(req.query.session_id);
    if (!sessionId.success) throw new NotFoundError(req.t('billing:errors.setupNotFound'));
    const saved = await account.finishCardSetup(currentActor(req), sessionId.data, req.t);
    if (!saved) throw new NotFoundError(req.t('billing:errors.setupNotFound'));
    res.redirect(303, '/backend/billing?cardSaved=1#payment-method');
  });

  router.post('/billing/cards/:id/default', async (req, res) => {
    await account.makeDefault(currentActor(req), cardIdOf(req), req.t);
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/backend/billing?cardDefault=1#payment-method');
  });

  router.post('/billing/cards/:id/remove', async (req, res) => {
    await account.removeCard(currentActor(req), cardIdOf(req), req.t);
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/backend/billing?cardRemoved=1#payment-method');
  });

  // Ending the subscription: a confirmation that names the courses it makes inactive and when, then the change.
  router.get('/billing/end', async (req, res) => {
    const plan = await ending.plan(currentActor(req), req.t);
    if (wantsJson(req)) return res.set('Cache-Control', 'no-store').json(plan);
    res.set('Cache-Control', 'no-store').render('billing/end', { title: req.t('billing:ending.title'), plan, ...billingFormat(String(res.locals.language ?? 'en')) });
  });

  for (const [path, end, flash] of [['/billing/end', true, 'ending'], ['/billing/resume', false, 'resumed']] as const) {
    router.post(path, async (req, res) => {
      const plan = await ending.schedule(currentActor(req), end, req.t);
      if (wantsJson(req)) return res.json(plan);
      res.redirect(303, `/backend/billing?${flash}=1#subscription`);
    });
  }

  router.post('/billing/invoices/:id/pay', async (req, res) => {
    const id = stripeId('in').safeParse(req.params.id);
    if (!id.success) throw new NotFoundError(req.t('billing:errors.invoiceNotFound'));
    try {
      await account.payInvoice(currentActor(req), id.data, req.t);
    } catch (error) {
      if (wantsJson(req) || !(error instanceof AppError) || error.status !== 402) throw error;
      return render(req, res, 402, { problem: error });
    }
    if (wantsJson(req)) return res.status(204).end();
    res.redirect(303, '/backend/billing?invoicePaid=1');
  });

  return router;
}

function cardIdOf(req: Request): string {
  const parsed = stripeId('pm').safeParse(req.params.id);
  if (!parsed.success) throw new NotFoundError(req.t('billing:errors.cardNotFound'));
  return parsed.data;
}
