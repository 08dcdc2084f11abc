/** Invoices: the history of a customer (newest first), one invoice, paying an open one now. */
import { StripeApiError } from './stripe-errors.ts';
import { all, expand, find, listOf, onlyParams, text, type StripeObject } from './emulator-state.ts';
import { chargeInvoice } from './billing-cycle.ts';
import type { Handler } from './emulator-router.ts';

const STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'];

export const listInvoices: Handler = ({ state, params }) => {
  onlyParams(params, ['customer', 'subscription', 'status', 'limit', 'starting_after', 'ending_before', 'collection_method']);
  const customer = text(params, 'customer');
  const subscription = text(params, 'subscription');
  const status = text(params, 'status');
  if (status !== undefined && !STATUSES.includes(status)) throw StripeApiError.invalid(`Invalid status: must be one of ${STATUSES.join(', ')}`, 'status');
  const invoices = all(state, 'invoice', (invoice) => (!customer || invoice.customer === customer) && (!subscription || invoice.parent?.subscription_details?.subscription === subscription) && (!status || invoice.status === status));
  const list = listOf(invoices, params, '/v1/invoices');
  return { ...list, data: list.data.map((invoice: StripeObject) => expand(state, invoice, params)) };
};

export const retrieveInvoice: Handler = ({ state, params, path }) => expand(state, find(state, 'invoice', path.id), params);

export const payInvoice: Handler = ({ state, params, path, cycle }) => {
  onlyParams(params, ['payment_method', 'paid_out_of_band']);
  const invoice = find(state, 'invoice', path.id);
  if (invoice.status !== 'open') throw StripeApiError.invalid(`Invoice is already ${invoice.status}`, undefined, 'invoice_not_open');
  const methodId = text(params, 'payment_method');
  if (methodId) find(state, 'payment_method', methodId, 'payment_method');
  if (!chargeInvoice(cycle, invoice, methodId)) {
    throw StripeApiError.card('Your card was declined.', 'generic_decline');
  }
  return invoice;
};
