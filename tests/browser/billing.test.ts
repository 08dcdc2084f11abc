/**
 * An administrator in Chromium buys two Smart_25 licences (seeing the
 * prorated preview before confirming), adds a card on the hosted Checkout page
 * (a declined card first), downloads the invoice PDF, and pays that invoice
 * on its hosted page (a declined card first).
 */
import { expect } from 'chai';
import { useBrowserSuite } from '../support/browser.ts';
import { createBackendAccount, TEST_PASSWORD } from '../support/backend-accounts.ts';

describe('Plans and Billing in a browser', function () {
  // Several pages, Checkout and a download on a shared machine.
  this.timeout(90_000);
  // The listening address (its real port) is the public one: Checkout sends the browser back there.
  const suite = useBrowserSuite({ server: { config: { billing: { enabled: true }, http: { publicUrl: null } } } });
  const { session } = suite.sessions;

  it('adds two Smart_25 licences after the preview, adds a card through Checkout, downloads the invoice PDF and pays it on its hosted page', async () => {
    const page = session.page;
    const admin = await createBackendAccount(suite.server, { role: 'administrator', name: 'Ada Billing' });
    await page.goto(`${suite.server.url}/login`);
    await page.getByLabel('Email address').fill(admin.email!);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/backend\//);

    await page.getByRole('link', { name: 'Plans', exact: true }).click();
    const add = page.locator('form[data-change="add"]');
    await add.getByLabel('Plan').selectOption('smart_25');
    await add.getByLabel('Number of licences').fill('2');
    await add.getByRole('button', { name: 'Preview the cost' }).click();
    expect(await page.locator('[data-preview-now]').textContent()).to.equal('€50.00');
    expect(await page.locator('[data-preview-next]').textContent()).to.equal('€50.00');
    await page.getByRole('button', { name: 'Confirm and buy' }).click();
    await page.waitForURL(/\/backend\/plans\?changed=1/);
    expect(await page.locator('tr[data-plan="smart_25"] [data-purchased]').textContent()).to.equal('2');

    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    await page.getByRole('button', { name: 'Add a card' }).click();
    await page.waitForURL(/\/stripe-emulator\/checkout\/cs_test_/);
    await page.getByLabel('Name on card').fill('Ada Billing');
    await page.getByLabel('Card number').fill('4000 0000 0000 9995');
    await page.getByLabel('Expiry (MM / YY)').fill('12 / 34');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Save card' }).click();
    expect(await page.locator('#card-error').textContent()).to.equal('Your card has insufficient funds.');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Save card' }).click();
    await page.waitForURL(/\/backend\/billing\?cardSaved=1/);
    expect(await page.locator('[data-cards]').textContent()).to.contain('visa ending 4242');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-invoice-pdf]').first().click()]);
    expect(download.suggestedFilename()).to.match(/^Invoice-[A-Z0-9]+-0001\.pdf$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const pdf = Buffer.concat(chunks).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).to.equal(true);
    expect(pdf).to.contain('2 x Smart_25'.replace('x', '?')).and.to.contain('Total: 50.00 EUR');

    // The invoice was sent before the card was added: paid on its hosted page with a card typed there.
    expect(await page.locator('[data-invoice-status]').first().getAttribute('data-invoice-status')).to.equal('open');
    const billingUrl = page.url();
    await page.goto((await page.locator('[data-invoice] a[target="_blank"]').first().getAttribute('href'))!);
    await page.getByLabel('Card number').fill('4000 0000 0000 0002');
    await page.getByLabel('Expiry (MM / YY)').fill('12 / 34');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Pay 50.00 EUR' }).click();
    expect(await page.locator('#card-error').textContent()).to.equal('Your card was declined.');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Pay 50.00 EUR' }).click();
    expect(await page.locator('#invoice-status').textContent()).to.equal('Invoice paid');
    await page.goto(billingUrl);
    expect(await page.locator('[data-invoice-status]').first().getAttribute('data-invoice-status')).to.equal('paid');
  });
});
