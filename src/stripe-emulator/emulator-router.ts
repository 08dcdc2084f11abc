/**
 * The emulator's REST surface under /v1, as stripe-node calls it: the secret
 * key as a Bearer token (or HTTP Basic user), form-encoded parameters,
 * JSON answers, Stripe's error objects, and `Idempotency-Key` honoured on
 * POSTs (the same key replays the first answer; with other parameters it is
 * refused). Routes are a table of method, path and handler.
 */
import express, { Router, type Request, type Response } from 'express';
import { decodeStripeForm } from './stripe-form.ts';
import { StripeApiError } from './stripe-errors.ts';
import type { EmulatorState, StripeObject } from './emulator-state.ts';
import type { CycleContext } from './billing-cycle.ts';
import { createCustomer, detachPaymentMethod, listPaymentMethods, listPrices, retrieveCustomer, retrievePaymentMethod, updateCustomer } from './customer-resources.ts';
import { createSubscription, previewInvoice, retrieveSubscription, updateSubscription } from './subscription-resources.ts';
import { listInvoices, payInvoice, retrieveInvoice } from './invoice-resources.ts';
import { createCheckoutSession, retrieveCheckoutSession, retrieveSetupIntent } from './checkout-resources.ts';
import { createTaxId, deleteTaxId, listTaxIds } from './tax-id-resources.ts';

export interface HandlerContext {
  state: EmulatorState;
  params: Record<string, any>;
  path: Record<string, string>;
  cycle: CycleContext;
}

export type Handler = (context: HandlerContext) => StripeObject;

const ROUTES: Array<[method: 'get' | 'post' | 'delete', path: string, handler: Handler]> = [
  ['post', '/customers', createCustomer],
  ['get', '/customers/:id', retrieveCustomer],
  ['post', '/customers/:id', updateCustomer],
  ['post', '/customers/:id/tax_ids', createTaxId],
  ['get', '/customers/:id/tax_ids', listTaxIds],
  ['delete', '/customers/:id/tax_ids/:taxId', deleteTaxId],
  ['get', '/payment_methods', listPaymentMethods],
  ['get', '/payment_methods/:id', retrievePaymentMethod],
  ['post', '/payment_methods/:id/detach', detachPaymentMethod],
  ['get', '/prices', listPrices],
  ['post', '/subscriptions', createSubscription],
  ['get', '/subscriptions/:id', retrieveSubscription],
  ['post', '/subscriptions/:id', updateSubscription],
  ['post', '/invoices/create_preview', previewInvoice],
  ['get', '/invoices', listInvoices],
  ['get', '/invoices/:id', retrieveInvoice],
  ['post', '/invoices/:id/pay', payInvoice],
  ['post', '/checkout/sessions', createCheckoutSession],
  ['get', '/checkout/sessions/:id', retrieveCheckoutSession],
  ['get', '/setup_intents/:id', retrieveSetupIntent],
];

const IDEMPOTENCY_SECONDS = 24 * 3600;

export interface EmulatorRouterOptions {
  state: EmulatorState;
  cycle: CycleContext;
  secretKey: string;
  /** Called before each request is handled: tests make Stripe slow here. */
  beforeEach?: () => Promise<void>;
  /** Called after a request is handled, before it is answered: tests deliver its webhooks first here. */
  beforeAnswer?: (request: string) => Promise<void>;
}

export function createStripeApiRouter({ state, cycle, secretKey, beforeEach, beforeAnswer }: EmulatorRouterOptions): Router {
  const router = Router();
  const remembered = new Map<string, { fingerprint: string; status: number; body: unknown; at: number }>();
  router.use(express.text({ type: () => true, limit: '256kb' }));
  router.use((req, res, next) => {
    res.set('request-id', `req_${Math.random().toString(36).slice(2, 16)}`);
    const key = presentedKey(req);
    if (!key) return sendError(res, new StripeApiError(401, { type: 'invalid_request_error', message: 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').' }));
    if (key !== secretKey) return sendError(res, new StripeApiError(401, { type: 'invalid_request_error', code: 'api_key_invalid', message: `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` }));
    next();
  });

  for (const [method, path, handler] of ROUTES) {
    router[method](path, async (req: Request, res: Response) => {
      if (beforeEach) await beforeEach();
      const body = typeof req.body === 'string' ? req.body : '';
      const idempotencyKey = method === 'post' ? req.get('idempotency-key') : undefined;
      const fingerprint = `${req.method} ${req.path} ${body}`;
      const now = cycle.nowSeconds();
      const previous = idempotencyKey ? remembered.get(idempotencyKey) : undefined;
      if (previous && now - previous.at < IDEMPOTENCY_SECONDS) {
        if (previous.fingerprint !== fingerprint) {
          return sendError(res, new StripeApiError(400, { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.` }));
        }
        res.set('idempotent-replayed', 'true');
        return res.status(previous.status).json(previous.body);
      }
      let status = 200;
      let answer: unknown;
      try {
        const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
        const params = method === 'post' ? decodeStripeForm(body) : decodeStripeForm(query);
        answer = handler({ state, params, path: req.params as Record<string, string>, cycle });
      } catch (error) {
        if (!(error instanceof StripeApiError)) throw error;
        status = error.status;
        answer = { error: { ...error.body, request_log_url: null } };
      }
      // Stripe keeps the answer of a request that reached it, errors included, and replays it for the same key.
      if (idempotencyKey) remembered.set(idempotencyKey, { fingerprint, status, body: answer, at: now });
      if (beforeAnswer) await beforeAnswer(`${req.method} ${req.path}`);
      res.status(status).json(answer);
    });
  }
  router.use((req, res) => sendError(res, new StripeApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: /v1${req.path}).` })));
  return router;
}

function presentedKey(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  if (header.startsWith('Bearer ')) return header.slice(7).trim() || null;
  if (header.startsWith('Basic ')) return Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] || null;
  return null;
}

function sendError(res: Response, error: StripeApiError): void {
  res.status(error.status).json({ error: error.body });
}
