/**
 * POST /billing/webhook: Stripe's events, read as raw bytes (the signature is
 * over the exact body), before any body parser and without CSRF: Stripe
 * proves itself with the signature instead. 2xx once applied or already seen.
 */
import express, { Router } from 'express';
import { WebhookSignatureError, type BillingWebhooks } from './billing-webhooks.ts';

export function createWebhookRouter(webhooks: BillingWebhooks): Router {
  const router = Router();
  router.post('/billing/webhook', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      res.json({ received: true, outcome: await webhooks.receive(payload, req.get('stripe-signature')) });
    } catch (error) {
      // Stripe reads the status only; the body says why for whoever looks at the endpoint's log in the Dashboard.
      if (!(error instanceof WebhookSignatureError)) throw error;
      res.status(400).json({ error: { code: error.code, message: error.message } });
    }
  });
  return router;
}
