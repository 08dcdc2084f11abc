/**
 * A customer's tax ids (`/v1/customers/:id/tax_ids`): created with a type and
 * a value whose format Stripe checks for that type (refused as
 * `tax_id_invalid`, "Invalid value for eu_vat."), listed, deleted, and printed
 * on the customer's invoices from then on (`customer_tax_ids`). The emulator
 * knows the formats of the types below; Stripe knows many more.
 */
import { StripeApiError } from './stripe-errors.ts';
import { all, find, listOf, newId, onlyParams, store, text, type EmulatorState, type StripeObject } from './emulator-state.ts';
import type { Handler } from './emulator-router.ts';

/** EU VAT numbers by prefix (Greece writes EL, Northern Ireland XI), as Stripe's examples show them. */
const EU_VAT: Record<string, RegExp> = {
  AT: /^ATU\d{8}$/,
  BE: /^BE[01]\d{9}$/,
  BG: /^BG\d{9,10}$/,
  CY: /^CY\d{8}[A-Z]$/,
  CZ: /^CZ\d{8,10}$/,
  DE: /^DE\d{9}$/,
  DK: /^DK\d{8}$/,
  EE: /^EE\d{9}$/,
  EL: /^EL\d{9}$/,
  ES: /^ES[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^FI\d{8}$/,
  FR: /^FR[A-HJ-NP-Z0-9]{2}\d{9}$/,
  HR: /^HR\d{11}$/,
  HU: /^HU\d{8}$/,
  IE: /^IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^IT\d{11}$/,
  LT: /^LT(\d{9}|\d{12})$/,
  LU: /^LU\d{8}$/,
  LV: /^LV\d{11}$/,
  MT: /^MT\d{8}$/,
  NL: /^NL\d{9}B\d{2}$/,
  PL: /^PL\d{10}$/,
  PT: /^PT\d{9}$/,
  RO: /^RO\d{2,10}$/,
  SE: /^SE\d{10}01$/,
  SI: /^SI\d{8}$/,
  SK: /^SK\d{10}$/,
  XI: /^XI(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/,
};

/** Each type's country (null: from the value) and format. */
const TYPES: Record<string, { country: string | null; format: (value: string) => boolean; verified: boolean }> = {
  eu_vat: { country: null, format: (value) => EU_VAT[value.slice(0, 2)]?.test(value) ?? false, verified: true },
  gb_vat: { country: 'GB', format: (value) => /^GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/.test(value), verified: true },
  ch_vat: { country: 'CH', format: (value) => /^CHE-\d{3}\.\d{3}\.\d{3} (MWST|TVA|IVA)$/.test(value), verified: false },
  li_uid: { country: 'LI', format: (value) => /^CHE\d{9}$/.test(value), verified: false },
  no_vat: { country: 'NO', format: (value) => /^\d{9}MVA$/.test(value), verified: false },
  us_ein: { country: 'US', format: (value) => /^\d{2}-\d{7}$/.test(value), verified: false },
  ca_bn: { country: 'CA', format: (value) => /^\d{9}$/.test(value), verified: false },
  au_abn: { country: 'AU', format: (value) => /^\d{11}$/.test(value), verified: false },
};

const COUNTRY_OF_PREFIX: Record<string, string> = { EL: 'GR', XI: 'GB' };
/** Stripe's limit of tax ids on one customer. */
const MAX_PER_CUSTOMER = 25;

export const createTaxId: Handler = ({ state, params, path, cycle }) => {
  onlyParams(params, ['type', 'value']);
  const customer = find(state, 'customer', path.id, 'customer');
  const type = text(params, 'type', { required: true })!;
  const rule = TYPES[type];
  if (!rule) throw StripeApiError.invalid(`Invalid type: must be one of ${Object.keys(TYPES).join(', ')}`, 'type');
  const value = text(params, 'value', { required: true, max: 100 })!;
  if (!rule.format(value)) throw StripeApiError.invalid(`Invalid value for ${type}.`, 'value', 'tax_id_invalid');
  if (taxIdsOf(state, customer.id).length >= MAX_PER_CUSTOMER) throw StripeApiError.invalid(`A customer can have at most ${MAX_PER_CUSTOMER} tax IDs.`, undefined, 'customer_max_tax_ids');
  const taxId = store(state, {
    id: newId('txi'),
    object: 'tax_id',
    country: rule.country ?? COUNTRY_OF_PREFIX[value.slice(0, 2)] ?? value.slice(0, 2),
    created: cycle.nowSeconds(),
    customer: customer.id,
    livemode: false,
    type,
    value,
    // Stripe checks EU and UK VAT numbers against the governments' registers afterwards; the emulator leaves them pending.
    verification: { status: rule.verified ? 'pending' : 'unavailable', verified_address: null, verified_name: null },
    owner: { type: 'customer', customer: customer.id },
  });
  cycle.emit('customer.tax_id.created', taxId);
  return taxId;
};

export const listTaxIds: Handler = ({ state, params, path }) => {
  onlyParams(params, ['limit', 'starting_after', 'ending_before']);
  const customer = find(state, 'customer', path.id, 'customer');
  return listOf(all(state, 'tax_id', (taxId) => taxId.customer === customer.id), params, `/v1/customers/${customer.id}/tax_ids`);
};

export const deleteTaxId: Handler = ({ state, path, cycle }) => {
  const customer = find(state, 'customer', path.id, 'customer');
  const taxId = state.objects.get(path.taxId ?? '');
  if (!taxId || taxId.object !== 'tax_id' || taxId.deleted || taxId.customer !== customer.id) throw StripeApiError.noSuch('tax_id', String(path.taxId));
  taxId.deleted = true;
  cycle.emit('customer.tax_id.deleted', taxId);
  return { id: taxId.id, object: 'tax_id', deleted: true };
};

/** The customer's tax ids, oldest first, as invoices print them. */
export function taxIdsOf(state: EmulatorState, customerId: string): StripeObject[] {
  return all(state, 'tax_id', (taxId) => taxId.customer === customerId).reverse();
}
