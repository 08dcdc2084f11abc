/**
 * Builds billing from config, as src/server.ts builds everything else: the
 * built-in Stripe emulator when no STRIPE_SECRET_KEY is set (reached over
 * HTTP at this very service, as Kaltura's emulator is), the gateway over the
 * stripe package, the services and their routers.
 */
import { Router, type RequestHandler } from 'express';
import Stripe from 'stripe';
import type { AppConfig } from '../lib/config/config.ts';
import type { Db } from '../lib/db/database.ts';
import { ConflictError } from '../lib/errors/app-error.ts';
import { allowRoles } from '../backend/backend-access.ts';
import type { Logger } from '../lib/logger/logger.ts';
import { randomSecret, readOrCreateSecretFile } from '../lib/secrets/local-secrets.ts';
import type { CourseService } from '../courses/course-service.ts';
import type { PlanCatalogue } from '../courses/plan-catalogue.ts';
import { createStripeEmulator, type StripeEmulator } from '../stripe-emulator/create-stripe-emulator.ts';
import { BillingAccountService } from './billing-account-service.ts';
import { createBillingGateway, type BillingGatewayOptions } from './billing-gateway.ts';
import { createBillingRouter } from './billing-router.ts';
import { createBillingStore } from './billing-store.ts';
import { BillingWebhooks } from './billing-webhooks.ts';
import { createPlansRouter } from './plans-router.ts';
import { PlansService } from './plans-service.ts';
import type { RecordingQuota } from '../recordings/recording-quota.ts';
import { Serialised, SubscriptionSync } from './subscription-sync.ts';
import { SubscriptionEnding } from './subscription-ending.ts';
import { BillingContacts, type BillingMail } from './billing-contacts.ts';
import { createWebhookRouter } from './webhook-router.ts';

export interface Billing {
  /** The emulator's API (/v1) and hosted pages (/stripe-emulator), when it runs. */
  emulator: StripeEmulator | null;
  /** POST /billing/webhook: mounted before body parsers and CSRF. */
  webhooks: Router;
  /** Under /backend: Plans, Billing, and the courses page's licence form turned away. */
  backend: Router;
  webhookSecret: string;
}

export interface BillingOptions {
  config: AppConfig;
  db: Db;
  plans: PlanCatalogue;
  courses: Pick<CourseService, 'licences'>;
  /** The courses' recording time, for the Plans page. */
  recordingQuota: Pick<RecordingQuota, 'forRooms'>;
  logger: Logger;
  /** Invoices mailed to the billing contacts kept here. */
  mail: BillingMail;
  /** Where this service listens: the emulator is reached there. */
  port: number;
  now: () => number;
}

export async function createBilling({ config, db, plans, courses, recordingQuota, logger, mail, port, now }: BillingOptions): Promise<Billing> {
  const settings = config.billing;
  const emulated = settings.secretKey === null;
  const secretKey = settings.secretKey ?? readOrCreateSecretFile(config.dataDir, 'stripe-emulator-secret-key', () => `sk_test_${randomSecret(24)}`);
  const webhookSecret = settings.webhookSecret ?? readOrCreateSecretFile(config.dataDir, 'stripe-webhook-secret', () => `whsec_${randomSecret(24)}`);
  const emulator = emulated
    ? createStripeEmulator({
        secretKey,
        webhookSecret,
        currency: settings.currency,
        prices: plans.licensed().flatMap((plan) => (['month', 'year'] as const).flatMap((interval) => (plan.prices?.[interval] === undefined ? [] : [{ planId: plan.id, label: plan.label, interval, unitAmount: plan.prices[interval]! }]))),
        baseUrl: () => config.http.publicUrl,
        webhookUrl: () => `http://127.0.0.1:${port}/billing/webhook`,
        apiVersion: Stripe.API_VERSION,
        now,
      })
    : null;
  const gateway = createBillingGateway({ secretKey, webhookSecret, timeoutMs: settings.timeoutMs, interval: settings.interval, currency: settings.currency, host: apiHost(settings.apiUrl, emulated ? port : null), now });
  const store = createBillingStore(db);
  const serial = new Serialised();
  const sync = new SubscriptionSync({ gateway, store, plans, now });
  const account = new BillingAccountService({ gateway, store, plans, sync, currency: settings.currency, daysUntilDue: settings.daysUntilDue, organisationName: 'Live Rooms organisation', now });
  if (emulated) {
    // The emulator keeps its Stripe in memory: after a restart that Stripe is empty, so the organisation's
    // customer, subscription and bought licences are forgotten with it rather than pointing at nothing.
    await store.saveAccount({ customerId: null, subscriptionId: null }, now());
    await store.setPurchased(Object.fromEntries(plans.licensed().map((plan) => [plan.id, 0])), 'stripe', now());
  }
  const plansService = new PlansService({ gateway, store, plans, courses, recordingQuota, sync, account, serial, now });
  const ending = new SubscriptionEnding({ gateway, store, plans, now });
  const contacts = new BillingContacts({ store, gateway, mail, logger, now });

  const backend = Router();
  // The courses page then points to Plans instead of offering its licence form.
  backend.use((_req, res, next) => {
    res.locals.billingOn = true;
    next();
  });
  backend.post('/courses/licences', allowRoles('administrator'), refuseManualLicences);
  backend.use(createPlansRouter({ plans: plansService, account }));
  backend.use(createBillingRouter({ account, ending, contacts, publicUrl: config.http.publicUrl }));
  return { emulator, webhooks: createWebhookRouter(new BillingWebhooks({ gateway, store, sync, account, ending, contacts, logger, now })), backend, webhookSecret };
}

/** Where the stripe package goes: the configured API address, else this very service for the emulator, else Stripe (undefined). */
function apiHost(apiAddress: string | null, emulatorPort: number | null): BillingGatewayOptions['host'] {
  if (apiAddress) {
    const apiUrl = new URL(apiAddress);
    const protocol = apiUrl.protocol === 'https:' ? 'https' : 'http';
    return { host: apiUrl.hostname, port: Number(apiUrl.port || (protocol === 'https' ? 443 : 80)), protocol };
  }
  return emulatorPort === null ? undefined : { host: '127.0.0.1', port: emulatorPort, protocol: 'http' };
}

/** With billing on, licences follow the subscription: they are bought on the Plans page, not typed in. */
const refuseManualLicences: RequestHandler = (req) => {
  throw new ConflictError(req.t('billing:errors.licencesFollowSubscription'), { code: 'LICENCES_FOLLOW_SUBSCRIPTION', help: req.t('billing:errors.licencesFollowSubscriptionHelp') });
};
