/**
 * A Stripe API emulator for development, tests and the demo: the subset of
 * Stripe's REST API that billing uses (customers, prices, subscriptions with
 * items and quantities, invoice previews with proration, invoices with their
 * pages and PDFs, payment methods, Checkout in setup mode), in Stripe's wire
 * format, reached by the official stripe package over HTTP, with webhooks
 * signed as Stripe signs them. The service talks to it exactly as to Stripe.
 */
import type { Router } from 'express';
import { createEmulatorState } from './emulator-state.ts';
import { seedPrices } from './customer-resources.ts';
import { createStripeApiRouter } from './emulator-router.ts';
import { createHostedPages } from './hosted-pages.ts';
import { createWebhookSender, type WebhookSender } from './webhook-sender.ts';
import type { CycleContext } from './billing-cycle.ts';

export interface StripeEmulatorOptions {
  secretKey: string;
  webhookSecret: string;
  currency: string;
  /** Products and prices, as an operator would make them in the Dashboard (lookup key `<plan>_<interval>`). */
  prices: Array<{ planId: string; label: string; interval: 'month' | 'year'; unitAmount: number }>;
  /** The emulator's own address (hosted pages' links), and where its webhooks go; known once the service listens. */
  baseUrl: () => string;
  webhookUrl: () => string | null;
  apiVersion: string;
  now?: () => number;
}

export interface StripeEmulator {
  /** Mount at '/v1'. */
  api: Router;
  /** Mount at '/stripe-emulator'. */
  pages: Router;
  webhooks: WebhookSender;
  /** Runs before every API request is answered: tests make Stripe slow or unreachable with it. */
  setFault(fault: (() => Promise<void>) | null): void;
  /** Runs after every API request (`POST /subscriptions`) is handled and before it is answered: tests deliver webhooks before the answer with it. */
  holdAnswers(hold: ((request: string) => Promise<void>) | null): void;
}

export function createStripeEmulator(options: StripeEmulatorOptions): StripeEmulator {
  const now = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);
  const state = createEmulatorState(options.currency);
  seedPrices(state, options.prices, nowSeconds());
  const webhooks = createWebhookSender({ endpoint: options.webhookUrl, secret: options.webhookSecret, apiVersion: options.apiVersion, nowSeconds });
  const cycle: CycleContext = {
    state,
    nowSeconds,
    get pagesUrl() {
      return `${options.baseUrl()}/stripe-emulator`;
    },
    emit: (type, object) => webhooks.emit(type, object),
  };
  let fault: (() => Promise<void>) | null = null;
  let hold: ((request: string) => Promise<void>) | null = null;
  return {
    api: createStripeApiRouter({ state, cycle, secretKey: options.secretKey, beforeEach: async () => fault?.(), beforeAnswer: async (request) => hold?.(request) }),
    pages: createHostedPages(state, cycle),
    webhooks,
    setFault(next) {
      fault = next;
    },
    holdAnswers(next) {
      hold = next;
    },
  };
}
