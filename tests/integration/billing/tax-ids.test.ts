/**
 * The organisation's tax ids: added on the Billing page with Stripe's types
 * (the format checked by Stripe, whose refusal is shown beside the field, in
 * English and French), listed there, printed on the invoices made afterwards
 * (customer_tax_ids, the PDF), removed, audited; and the emulator answering
 * the tax id endpoints as Stripe does.
 */
import { expect } from 'chai';
import Stripe from 'stripe';
import { backendPerson, type BackendPerson } from '../../support/courses.ts';
import type { TestServer } from '../../support/test-server.ts';
import { changeLicences, dataText, emulatorStripe, startBillingServer } from '../../support/billing.ts';

describe('Tax ids on the billing account and its invoices', () => {
  let server: TestServer;
  let admin: BackendPerson;
  let stripe: Stripe;
  const customerId = async () => (await server.db.selectFrom('billing_account').select('customer_id').executeTakeFirstOrThrow()).customer_id!;
  const newestPdf = async () => {
    const page = await admin.agent.get('/backend/billing');
    const url = /href="([^"]+)" data-invoice-pdf/.exec(page.text)![1]!;
    return Buffer.from(await (await fetch(new URL(new URL(url).pathname, server.url))).arrayBuffer()).toString('latin1');
  };

  before(async () => {
    server = await startBillingServer({ now: () => Date.UTC(2027, 2, 1) });
    admin = await backendPerson(server, 'administrator');
    stripe = emulatorStripe(server);
  });
  after(() => server.stop());

  it('refuses a tax id of no listed type, an empty one, and one whose format Stripe refuses, beside the field, in English and French', async () => {
    const unknownType = await admin.agent.post('/backend/billing/tax-ids', { type: 'xx_vat', value: '123' });
    expect(unknownType.status).to.equal(400);
    expect(unknownType.text).to.contain('Choose a type of tax id from the list.');
    expect((await admin.agent.post('/backend/billing/tax-ids', { type: 'eu_vat', value: '  ' })).text).to.contain('This field is required.');
    const badFormat = await admin.agent.post('/backend/billing/tax-ids', { type: 'eu_vat', value: 'FR123' });
    expect(badFormat.status).to.equal(400);
    expect(badFormat.text).to.contain('This is not a valid number of that type. It is written like FR12345678901.').and.to.contain('value="FR123"');
    const french = await admin.agent.post('/backend/billing/tax-ids', { type: 'us_ein', value: '123456789' }, { headers: { 'accept-language': 'fr' } });
    expect(french.text).to.contain('pas valide pour ce type. Il s&#39;écrit comme 12-3456789.');
    const json = await admin.agent.post('/backend/billing/tax-ids', { type: 'gb_vat', value: 'GB12' }, { accept: 'application/json' });
    expect([json.status, Object.keys(json.json().error.fields)]).to.deep.equal([400, ['value']]);
    expect((await stripe.customers.listTaxIds(await customerId())).data).to.deep.equal([]);
  });

  it('adds tax ids of several types, shows them on the Billing page and prints them on the next invoice', async () => {
    // Typed with spaces and in lower case: a VAT number is kept as Stripe writes it.
    const added = await admin.agent.post('/backend/billing/tax-ids', { type: 'eu_vat', value: 'fr 12 345678901' });
    expect(added.location).to.equal('/backend/billing?taxIdAdded=1');
    for (const [type, value] of [['ch_vat', 'CHE-123.456.789 MWST'], ['us_ein', '12-3456789']] as const) {
      expect((await admin.agent.post('/backend/billing/tax-ids', { type, value })).status, type).to.equal(303);
    }
    const duplicate = await admin.agent.post('/backend/billing/tax-ids', { type: 'eu_vat', value: 'FR12345678901' });
    expect([duplicate.status, duplicate.text.includes('This tax id is already on your account.')]).to.deep.equal([400, true]);
    const page = await admin.agent.get('/backend/billing');
    expect(dataText(page.text, 'data-tax-id-text')).to.equal('EU VAT number: FR12345678901');
    expect(page.text).to.contain('Swiss VAT number: CHE-123.456.789 MWST').and.to.contain('US EIN: 12-3456789');
    const inStripe = (await stripe.customers.listTaxIds(await customerId())).data;
    expect(inStripe.map((taxId) => [taxId.type, taxId.value, taxId.country])).to.have.deep.members([['eu_vat', 'FR12345678901', 'FR'], ['ch_vat', 'CHE-123.456.789 MWST', 'CH'], ['us_ein', '12-3456789', 'US']]);
    expect(inStripe.find((taxId) => taxId.type === 'eu_vat')!.verification).to.deep.equal({ status: 'pending', verified_address: null, verified_name: null });

    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '1' })).status).to.equal(303);
    const [invoice] = (await stripe.invoices.list({ customer: await customerId(), limit: 1 })).data;
    expect(invoice!.customer_tax_ids).to.deep.equal([
      { type: 'eu_vat', value: 'FR12345678901' },
      { type: 'ch_vat', value: 'CHE-123.456.789 MWST' },
      { type: 'us_ein', value: '12-3456789' },
    ]);
    // The PDF's text escapes parentheses.
    expect(await newestPdf()).to.contain('Tax id \\(eu_vat\\): FR12345678901').and.to.contain('Tax id \\(us_ein\\): 12-3456789');
  });

  it('removes a tax id: gone from the page and from the invoices made afterwards, and audited', async () => {
    const page = await admin.agent.get('/backend/billing');
    const euVat = /data-tax-id="(txi_\w+)"><span data-tax-id-text>EU VAT number/.exec(page.text)![1]!;
    expect((await admin.agent.post(`/backend/billing/tax-ids/${euVat}/remove`, {})).location).to.equal('/backend/billing?taxIdRemoved=1');
    const after = await admin.agent.get('/backend/billing');
    expect(after.text).to.contain('US EIN: 12-3456789');
    expect(after.text).not.to.contain('EU VAT number: FR12345678901');
    expect((await admin.agent.post(`/backend/billing/tax-ids/${euVat}/remove`, {})).status).to.equal(404);
    expect((await admin.agent.post('/backend/billing/tax-ids/nonsense/remove', {})).status).to.equal(404);
    expect((await changeLicences(admin.agent, { kind: 'add', planId: 'smart_15', quantity: '1' })).status).to.equal(303);
    expect(await newestPdf()).not.to.contain('FR12345678901');
    const actions = (await server.db.selectFrom('billing_audit').select(['action', 'detail']).where('action', 'like', 'taxId.%').execute()).map((row) => [row.action, JSON.parse(row.detail).value]);
    expect(actions).to.deep.include.members([['taxId.add', 'FR12345678901'], ['taxId.remove', 'FR12345678901']]);
  });

  it('is the emulator answering as Stripe does: formats per type, the country, deletion, and its errors', async () => {
    const customer = await customerId();
    const refusal = await stripe.customers.createTaxId(customer, { type: 'eu_vat', value: 'DE12345678' }).catch((error: unknown) => error);
    expect(refusal).to.be.instanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refusal).to.include({ code: 'tax_id_invalid', param: 'value', statusCode: 400 });
    expect((refusal as Stripe.errors.StripeError).raw).to.include({ type: 'invalid_request_error', message: 'Invalid value for eu_vat.' });
    const unknownType = await stripe.customers.createTaxId(customer, { type: 'zz_tin' as Stripe.CustomerCreateTaxIdParams.Type, value: '1' }).catch((error: unknown) => error);
    expect(unknownType).to.include({ code: 'parameter_invalid', param: 'type' });
    const greek = await stripe.customers.createTaxId(customer, { type: 'eu_vat', value: 'EL123456789' });
    expect([greek.object, greek.country, greek.customer, greek.id.startsWith('txi_')]).to.deep.equal(['tax_id', 'GR', customer, true]);
    for (const [type, value] of [['gb_vat', 'GB123456789'], ['no_vat', '123456789MVA'], ['au_abn', '12345678912'], ['ca_bn', '123456789'], ['li_uid', 'CHE123456789']] as const) {
      expect((await stripe.customers.createTaxId(customer, { type, value })).value).to.equal(value);
    }
    expect(await stripe.customers.deleteTaxId(customer, greek.id)).to.deep.include({ id: greek.id, object: 'tax_id', deleted: true });
    const again = await stripe.customers.deleteTaxId(customer, greek.id).catch((error: unknown) => error);
    expect(again).to.include({ code: 'resource_missing', statusCode: 404 });
  });
});
