/**
 * Customers (name, email, address, invoice settings with the default card),
 * their cards (payment methods of type card) and the catalogue's prices.
 */
import { StripeApiError } from './stripe-errors.ts';
import { all, arrayParam, expand, find, listOf, newId, objectParam, onlyParams, store, text, type EmulatorState, type StripeObject } from './emulator-state.ts';
import type { Handler } from './emulator-router.ts';

const ADDRESS_FIELDS = ['line1', 'line2', 'postal_code', 'city', 'state', 'country'] as const;
const CUSTOMER_PARAMS = ['name', 'email', 'address', 'metadata', 'invoice_settings', 'invoice_prefix', 'preferred_locales'];

function address(params: Record<string, unknown>, current: StripeObject | null): StripeObject | null {
  const given = objectParam(params, 'address');
  if (params.address === '') return null;
  if (!given) return current;
  onlyParams(given, ADDRESS_FIELDS);
  const result: Record<string, string | null> = Object.fromEntries(ADDRESS_FIELDS.map((field) => [field, text(given, field, { max: 200 }) ?? current?.[field] ?? null]));
  if (result.country && !/^[A-Z]{2}$/.test(result.country)) throw StripeApiError.invalid('Country must be a two-letter ISO 3166 code.', 'address[country]', 'country_code_invalid');
  return result as StripeObject;
}

function metadata(params: Record<string, unknown>, current: Record<string, string>): Record<string, string> {
  const given = objectParam(params, 'metadata');
  if (!given) return current;
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(given)) {
    if (value === '') delete merged[key];
    else merged[key] = String(value);
  }
  return merged;
}

function invoiceSettings(state: EmulatorState, customer: StripeObject, params: Record<string, unknown>): StripeObject {
  const given = objectParam(params, 'invoice_settings');
  const current = customer.invoice_settings ?? { default_payment_method: null, custom_fields: null, footer: null };
  if (!given) return current;
  onlyParams(given, ['default_payment_method', 'custom_fields', 'footer']);
  const settings = { ...current };
  if (given.default_payment_method !== undefined) {
    const methodId = given.default_payment_method === '' ? null : String(given.default_payment_method);
    if (methodId) {
      const method = find(state, 'payment_method', methodId, 'invoice_settings[default_payment_method]');
      if (method.customer !== customer.id) throw StripeApiError.invalid(`The customer does not have a payment method with the ID ${methodId}. The payment method must be attached to the customer.`, 'invoice_settings[default_payment_method]', 'resource_missing');
    }
    settings.default_payment_method = methodId;
  }
  if (given.custom_fields !== undefined) {
    const fields = given.custom_fields === '' ? [] : arrayParam(given, 'custom_fields');
    if (fields.length > 4) throw StripeApiError.invalid('You can have at most 4 custom fields.', 'invoice_settings[custom_fields]');
    settings.custom_fields = fields.length === 0 ? null : fields.map((field) => {
      const { name, value } = field as Record<string, string>;
      if (!name || !value || name.length > 40 || value.length > 140) throw StripeApiError.invalid('Custom fields need a name (40 characters at most) and a value (140 at most).', 'invoice_settings[custom_fields]');
      return { name, value };
    });
  }
  if (given.footer !== undefined) settings.footer = given.footer === '' ? null : String(given.footer);
  return settings;
}

function applyCustomer(state: EmulatorState, customer: StripeObject, params: Record<string, unknown>): void {
  onlyParams(params, CUSTOMER_PARAMS);
  for (const field of ['name', 'email'] as const) {
    const value = text(params, field, { max: 256 });
    if (value !== undefined) customer[field] = value === '' ? null : value;
  }
  if (customer.email && !/^[^\s@]+@[^\s@]+$/.test(customer.email)) throw StripeApiError.invalid('Invalid email address: ' + customer.email, 'email', 'email_invalid');
  customer.address = address(params, customer.address ?? null);
  customer.metadata = metadata(params, customer.metadata ?? {});
  customer.invoice_settings = invoiceSettings(state, customer, params);
  const prefix = text(params, 'invoice_prefix', { max: 12 });
  if (prefix !== undefined) {
    if (!/^[A-Z0-9]{3,12}$/.test(prefix)) throw StripeApiError.invalid('Invoice prefix must be 3–12 upper-case letters or digits.', 'invoice_prefix');
    customer.invoice_prefix = prefix;
  }
  const locales = params.preferred_locales;
  if (locales !== undefined) customer.preferred_locales = locales === '' ? [] : arrayParam(params, 'preferred_locales').map(String);
}

export const createCustomer: Handler = ({ state, params, cycle }) => {
  const customer: StripeObject = {
    id: newId('cus'),
    object: 'customer',
    created: cycle.nowSeconds(),
    name: null,
    email: null,
    address: null,
    metadata: {},
    currency: null,
    delinquent: false,
    livemode: false,
    preferred_locales: [],
    invoice_prefix: newId('x').slice(2, 10).toUpperCase(),
  };
  applyCustomer(state, customer, params);
  store(state, customer);
  cycle.emit('customer.created', customer);
  return expand(state, customer, params);
};

export const retrieveCustomer: Handler = ({ state, params, path }) => expand(state, find(state, 'customer', path.id), params);

export const updateCustomer: Handler = ({ state, params, path, cycle }) => {
  const customer = find(state, 'customer', path.id);
  const draft = structuredClone(customer);
  applyCustomer(state, draft, params);
  Object.assign(customer, draft);
  cycle.emit('customer.updated', customer);
  return expand(state, customer, params);
};

export const listPaymentMethods: Handler = ({ state, params }) => {
  onlyParams(params, ['customer', 'type', 'limit', 'starting_after', 'ending_before']);
  const customerId = text(params, 'customer', { required: true })!;
  find(state, 'customer', customerId, 'customer');
  return listOf(all(state, 'payment_method', (method) => method.customer === customerId), params, '/v1/payment_methods');
};

export const retrievePaymentMethod: Handler = ({ state, path }) => find(state, 'payment_method', path.id);

export const detachPaymentMethod: Handler = ({ state, path, cycle }) => {
  const method = find(state, 'payment_method', path.id);
  if (!method.customer) throw StripeApiError.invalid('The payment method you provided is not attached to a customer so detachment is impossible.', undefined, 'payment_method_unexpected_state');
  const customer = state.objects.get(method.customer);
  if (customer?.invoice_settings?.default_payment_method === method.id) customer.invoice_settings.default_payment_method = null;
  for (const subscription of all(state, 'subscription', (candidate) => candidate.default_payment_method === method.id)) subscription.default_payment_method = null;
  method.customer = null;
  cycle.emit('payment_method.detached', method);
  return method;
};

export const listPrices: Handler = ({ state, params }) => {
  onlyParams(params, ['lookup_keys', 'active', 'limit', 'starting_after', 'ending_before', 'product']);
  const keys = arrayParam(params, 'lookup_keys').map(String);
  const prices = all(state, 'price', (price) => (keys.length === 0 || keys.includes(price.lookup_key)) && (params.active === undefined || String(price.active) === params.active));
  return listOf(prices, params, '/v1/prices');
};

/** The catalogue's products and prices, made once from config as an operator makes them in the Dashboard. */
export function seedPrices(state: EmulatorState, seeds: Array<{ planId: string; label: string; interval: 'month' | 'year'; unitAmount: number }>, created: number): void {
  for (const seed of seeds) {
    const productId = `prod_${seed.planId}`;
    if (!state.objects.has(productId)) store(state, { id: productId, object: 'product', name: seed.label, active: true, created, metadata: { plan: seed.planId }, livemode: false });
    store(state, {
      id: `price_${seed.planId}_${seed.interval}`,
      object: 'price',
      active: true,
      created,
      currency: state.currency,
      lookup_key: `${seed.planId}_${seed.interval}`,
      nickname: seed.label,
      product: productId,
      recurring: { interval: seed.interval, interval_count: 1, usage_type: 'licensed' },
      type: 'recurring',
      unit_amount: seed.unitAmount,
      unit_amount_decimal: String(seed.unitAmount),
      billing_scheme: 'per_unit',
      tax_behavior: 'unspecified',
      metadata: { plan: seed.planId },
      livemode: false,
    });
  }
}
