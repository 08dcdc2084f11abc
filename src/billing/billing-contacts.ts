/**
 * Billing contacts: Stripe keeps one email per customer (the billing contact's,
 * which Stripe mails), so the other people who receive the invoices (a
 * school's accounts office, its head) are kept here, and when Stripe finalises
 * an invoice (its webhook) each is sent a mail with the invoice's page and PDF
 * by the service's own mailer, in the language of whoever added them.
 */
import { randomUUID } from 'node:crypto';
import type { TFunction } from 'i18next';
import type { BackendActor } from '../backend/backend-access.ts';
import type { BrandingService } from '../branding/branding-service.ts';
import { NotFoundError, ValidationError } from '../lib/errors/app-error.ts';
import { isLanguage, type Translations } from '../lib/i18n/i18n.ts';
import type { Logger } from '../lib/logger/logger.ts';
import { renderMail } from '../lib/mail/mail-templates.ts';
import type { Mailer } from '../lib/mail/mailer.ts';
import { billingFormat } from './billing-format.ts';
import type { BillingGateway } from './billing-gateway.ts';
import type { BillingContact, BillingStore } from './billing-store.ts';

/** Enough for a school's offices; more is a mailing list's job. */
export const MAX_BILLING_CONTACTS = 10;

export interface BillingMail {
  mailer: Mailer;
  branding: Pick<BrandingService, 'mailBranding'>;
  translations: Translations;
}

export interface BillingContactsDeps {
  store: BillingStore;
  gateway: BillingGateway;
  mail: BillingMail;
  logger: Logger;
  now: () => number;
}

export class BillingContacts {
  readonly #deps: BillingContactsDeps;

  constructor(deps: BillingContactsDeps) {
    this.#deps = deps;
  }

  list(): Promise<BillingContact[]> {
    return this.#deps.store.contacts();
  }

  /** `primaryEmail`: the Stripe customer's, which already receives the invoices. */
  async add(actor: BackendActor, email: string, language: string, primaryEmail: string | null, t: TFunction): Promise<BillingContact> {
    const { store, now } = this.#deps;
    const refuse = (key: string) => new ValidationError(t('common:errors.fixBelow'), { contactEmail: t(key, { max: MAX_BILLING_CONTACTS }) });
    const existing = await store.contacts();
    if (existing.some((contact) => contact.email === email) || primaryEmail?.toLowerCase() === email) throw refuse('billing:contacts.duplicate');
    if (existing.length >= MAX_BILLING_CONTACTS) throw refuse('billing:contacts.tooMany');
    const contact = { id: randomUUID(), email, language, addedAt: now() };
    if (!(await store.addContact(contact, actor.userId))) throw refuse('billing:contacts.duplicate');
    await store.addAudit({ actorId: actor.userId, actorName: actor.name, action: 'contact.add', detail: { email }, at: now() });
    return contact;
  }

  async remove(actor: BackendActor, id: string, t: TFunction): Promise<void> {
    const removed = await this.#deps.store.removeContact(id);
    if (!removed) throw new NotFoundError(t('billing:contacts.notFound'));
    await this.#deps.store.addAudit({ actorId: actor.userId, actorName: actor.name, action: 'contact.remove', detail: { email: removed.email }, at: this.#deps.now() });
  }

  /** Stripe finalised an invoice: each contact is mailed its links. A mail that fails is logged; the others still go. */
  async invoiceFinalized(invoiceId: string): Promise<number> {
    const { store, gateway, mail, logger } = this.#deps;
    const contacts = await store.contacts();
    if (contacts.length === 0) return 0;
    const [invoice, branding] = await Promise.all([gateway.invoice(invoiceId), mail.branding.mailBranding()]);
    let sent = 0;
    for (const contact of contacts) {
      const language = isLanguage(contact.language) ? contact.language : 'en';
      const t = mail.translations.forLanguage(language);
      const { money, day } = billingFormat(language);
      try {
        const message = await renderMail('billing-invoice', contact.email, {
          t,
          branding,
          subject: t('billing:invoiceMail.subject', { number: invoice.number, organisation: branding.organisationName }),
          number: invoice.number,
          amount: money(invoice.amountRemaining, invoice.currency),
          due: invoice.dueDate === null ? null : day(invoice.dueDate),
          paid: invoice.status === 'paid',
          hostedUrl: invoice.hostedUrl,
          pdfUrl: invoice.pdfUrl,
        });
        await mail.mailer.send(message);
        sent += 1;
      } catch (error) {
        logger.warn({ err: error, invoiceId }, 'invoice mail to a billing contact could not be sent');
      }
    }
    return sent;
  }
}
