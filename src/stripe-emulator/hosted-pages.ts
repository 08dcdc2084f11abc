/**
 * What Stripe hosts, so that card numbers never reach the service: the
 * Checkout page in setup mode (a card form that accepts Stripe's test cards
 * and shows the decline message for the declining ones, then sends the person
 * back to success_url with the session id) and each invoice's page and PDF.
 */
import express, { Router, type Response } from 'express';
import type { EmulatorState, StripeObject } from './emulator-state.ts';
import { formatAmount, payWithCard, recordFailedPayment, type CycleContext } from './billing-cycle.ts';
import { completeCheckout, recordSetupError } from './checkout-resources.ts';
import { invoiceLines, renderPdf } from './invoice-pdf.ts';
import { testCard, type TestCard } from './test-cards.ts';

const escapeHtml = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;background:#635bff;color:#fff;border:0;border-radius:4px}.error{color:#b00020}.note{color:#697386;font-size:.9rem}</style></head>
<body><p class="note">Test mode (built-in Stripe emulator)</p>${body}</body></html>`);
}

/** The card fields of Checkout and of the invoice page, with the problem (Stripe's words) above them. */
function cardFields(action: string, button: string, error: string | null, values: Record<string, string>): string {
  return `${error ? `<p class="error" role="alert" id="card-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="cardholder">Name on card</label><input id="cardholder" name="cardholder" autocomplete="cc-name" value="${escapeHtml(values.cardholder)}">
<label for="number">Card number</label><input id="number" name="number" inputmode="numeric" autocomplete="cc-number" value="${escapeHtml(values.number)}">
<label for="expiry">Expiry (MM / YY)</label><input id="expiry" name="expiry" autocomplete="cc-exp" value="${escapeHtml(values.expiry)}">
<label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc">
<button type="submit">${escapeHtml(button)}</button></form>
<p class="note">Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined.</p>`;
}

function checkoutForm(session: StripeObject, error: string | null, values: Record<string, string> = {}): string {
  return `<h1>Save a card</h1>
${cardFields(`/stripe-emulator/checkout/${session.id}`, 'Save card', error, values)}
${session.cancel_url ? `<p><a href="${escapeHtml(session.cancel_url)}">Cancel</a></p>` : ''}`;
}

interface EnteredCard {
  values: Record<string, string>;
  /** Stripe's message for a card that is incomplete, unknown in test mode or refused; null when it is accepted. */
  problem: string | null;
  card: TestCard | null;
  number: string;
  expiry: { month: number; year: number } | null;
}

/** A card form as submitted, checked as Stripe's card element and test mode check it. */
function enteredCard(body: Record<string, unknown>, nowSeconds: number): EnteredCard {
  const values = { cardholder: String(body.cardholder ?? '').slice(0, 100), number: String(body.number ?? '').slice(0, 30), expiry: String(body.expiry ?? '').slice(0, 10) };
  const number = values.number.replace(/[\s-]/g, '');
  const card = testCard(number);
  const expiry = parseExpiry(values.expiry, nowSeconds);
  const cvc = String(body.cvc ?? '');
  const problem = !/^\d{12,19}$/.test(number)
    ? 'Your card number is incomplete.'
    : !card
      ? 'Your card number is invalid. In test mode, use one of Stripe\u2019s test card numbers.'
      : !expiry
        ? "Your card's expiration date is incomplete or in the past."
        : !/^\d{3,4}$/.test(cvc)
          ? "Your card's security code is incomplete."
          : (card.refusal?.message ?? null);
  return { values, problem, card, number, expiry };
}

function parseExpiry(raw: string, nowSeconds: number): { month: number; year: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(raw);
  if (!match) return null;
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  const now = new Date(nowSeconds * 1000);
  if (month < 1 || month > 12 || year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) return null;
  return { month, year };
}

export function createHostedPages(state: EmulatorState, cycle: CycleContext): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '8kb' }));

  const openSession = (id: string): StripeObject | null => {
    const session = state.objects.get(id);
    return session?.object === 'checkout.session' ? session : null;
  };

  router.get('/checkout/:id', (req, res) => {
    const session = openSession(req.params.id);
    if (!session) return page(res, 404, 'Not found', '<h1>This page does not exist.</h1>');
    if (session.status !== 'open' || session.expires_at <= cycle.nowSeconds()) return page(res, 410, 'Expired', '<h1>This checkout session is no longer available.</h1>');
    page(res, 200, 'Save a card', checkoutForm(session, null));
  });

  router.post('/checkout/:id', (req, res) => {
    const session = openSession(req.params.id);
    if (!session || session.status !== 'open' || session.expires_at <= cycle.nowSeconds()) return page(res, 410, 'Expired', '<h1>This checkout session is no longer available.</h1>');
    const { values, problem, card, number, expiry } = enteredCard(req.body as Record<string, unknown>, cycle.nowSeconds());
    if (problem) {
      if (card?.refusal) recordSetupError(state, session, card.refusal);
      return page(res, 402, 'Save a card', checkoutForm(session, problem, values));
    }
    completeCheckout(cycle, session, { card: card!, number, expiry: expiry!, name: values.cardholder || null });
    res.redirect(303, session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id));
  });

  const findInvoice = (id: string): StripeObject | null => {
    const invoice = state.objects.get(id);
    return invoice?.object === 'invoice' && invoice.number ? invoice : null;
  };

  /** The invoice's page: its lines and PDF, and while it is open, a card form to pay it. */
  function invoicePage(res: Response, status: number, invoice: StripeObject, error: string | null = null, values: Record<string, string> = {}): void {
    const lines = invoiceLines(invoice).map((line) => `<p>${escapeHtml(line)}</p>`).join('');
    const due = escapeHtml(formatAmount(invoice.amount_remaining, invoice.currency));
    const payment =
      invoice.status === 'open'
        ? `<h2>Pay ${due}</h2>${cardFields(`/stripe-emulator/invoices/${invoice.id}/pay`, `Pay ${formatAmount(invoice.amount_remaining, invoice.currency)}`, error, values)}`
        : `<p id="invoice-status" data-status="${escapeHtml(invoice.status)}">${invoice.status === 'paid' ? 'Invoice paid' : `This invoice is ${escapeHtml(invoice.status)}.`}</p>`;
    page(res, status, `Invoice ${invoice.number}`, `<h1>Invoice ${escapeHtml(invoice.number)}</h1>${lines}<p><a href="${escapeHtml(invoice.invoice_pdf)}">Download PDF</a></p>${payment}`);
  }

  router.get('/invoices/:id', (req, res) => {
    const invoice = findInvoice(req.params.id);
    if (!invoice) return page(res, 404, 'Not found', '<h1>This invoice does not exist.</h1>');
    invoicePage(res, 200, invoice);
  });

  // Paid on the page with a card typed there: Stripe charges it once, without saving it to the customer.
  router.post('/invoices/:id/pay', (req, res) => {
    const invoice = findInvoice(req.params.id);
    if (!invoice) return page(res, 404, 'Not found', '<h1>This invoice does not exist.</h1>');
    if (invoice.status !== 'open') return invoicePage(res, 409, invoice);
    const { values, problem, card, number, expiry } = enteredCard(req.body as Record<string, unknown>, cycle.nowSeconds());
    const declined = !problem && card!.declinesCharges ? 'Your card was declined.' : null;
    if (problem || declined) {
      if (card?.refusal || declined) recordFailedPayment(cycle, invoice);
      return invoicePage(res, 402, invoice, problem ?? declined, values);
    }
    payWithCard(cycle, invoice, { card: card!, number, expiry: expiry!, name: values.cardholder || null });
    res.redirect(303, `/stripe-emulator/invoices/${invoice.id}`);
  });

  router.get('/invoices/:id/pdf', (req, res) => {
    const invoice = findInvoice(req.params.id);
    if (!invoice) return page(res, 404, 'Not found', '<h1>This invoice does not exist.</h1>');
    res.set('Content-Disposition', `attachment; filename="Invoice-${invoice.number}.pdf"`).type('application/pdf').send(renderPdf(invoiceLines(invoice)));
  });
  return router;
}
