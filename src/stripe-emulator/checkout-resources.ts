/**
 * Checkout Sessions in setup mode (a card saved for later, on Stripe's hosted
 * page) and the SetupIntents behind them. The page itself is in hosted-pages.ts.
 */
import { StripeApiError } from './stripe-errors.ts';
import { expand, find, newId, onlyParams, store, text, type EmulatorState, type StripeObject } from './emulator-state.ts';
import { storeCardMethod, type CycleContext, type EnteredTestCard } from './billing-cycle.ts';
import type { Handler } from './emulator-router.ts';

const SESSION_SECONDS = 24 * 3600;

function returnUrl(params: Record<string, unknown>, name: string): string {
  const value = text(params, name, { required: true, max: 5000 })!;
  if (!/^https?:\/\/\S+$/.test(value)) throw StripeApiError.invalid(`Not a valid URL`, name, 'url_invalid');
  return value;
}

export const createCheckoutSession: Handler = ({ state, params, cycle }) => {
  onlyParams(params, ['mode', 'customer', 'success_url', 'cancel_url', 'payment_method_types', 'currency', 'locale', 'metadata', 'client_reference_id']);
  const mode = text(params, 'mode', { required: true });
  if (mode !== 'setup') throw StripeApiError.invalid('This emulator serves Checkout in setup mode only.', 'mode');
  const customer = find(state, 'customer', text(params, 'customer', { required: true }), 'customer');
  const now = cycle.nowSeconds();
  const id = newId('cs_test');
  const setupIntent = store(state, { id: newId('seti'), object: 'setup_intent', created: now, customer: customer.id, status: 'requires_payment_method', payment_method: null, usage: 'off_session', last_setup_error: null, livemode: false });
  return store(state, {
    id,
    object: 'checkout.session',
    created: now,
    expires_at: now + SESSION_SECONDS,
    mode: 'setup',
    status: 'open',
    customer: customer.id,
    currency: text(params, 'currency') ?? null,
    setup_intent: setupIntent.id,
    success_url: returnUrl(params, 'success_url'),
    cancel_url: params.cancel_url === undefined ? null : returnUrl(params, 'cancel_url'),
    client_reference_id: text(params, 'client_reference_id') ?? null,
    metadata: params.metadata ?? {},
    url: `${cycle.pagesUrl}/checkout/${id}`,
    livemode: false,
  });
};

export const retrieveCheckoutSession: Handler = ({ state, params, path }) => expand(state, find(state, 'checkout.session', path.id), params);

export const retrieveSetupIntent: Handler = ({ state, params, path }) => expand(state, find(state, 'setup_intent', path.id), params);

/** The hosted page's card accepted: a payment method attached to the customer, the session complete. */
export function completeCheckout(context: CycleContext, session: StripeObject, entered: EnteredTestCard): StripeObject {
  const { state } = context;
  const method = storeCardMethod(context, entered, session.customer);
  const setupIntent = state.objects.get(session.setup_intent)!;
  Object.assign(setupIntent, { status: 'succeeded', payment_method: method.id, last_setup_error: null });
  Object.assign(session, { status: 'complete' });
  context.emit('payment_method.attached', method);
  context.emit('setup_intent.succeeded', setupIntent);
  context.emit('checkout.session.completed', session);
  return method;
}

export function recordSetupError(state: EmulatorState, session: StripeObject, refusal: { code: string; declineCode: string; message: string }): void {
  const setupIntent = state.objects.get(session.setup_intent);
  if (setupIntent) setupIntent.last_setup_error = { type: 'card_error', code: refusal.code, decline_code: refusal.declineCode, message: refusal.message };
}
