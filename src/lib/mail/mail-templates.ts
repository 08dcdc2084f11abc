/**
 * Mails are EJS views too: `views/emails/<name>.html.ejs` and
 * `<name>.text.ejs`, rendered with the organisation's branding and the
 * recipient's language, escaped like every page.
 */
import path from 'node:path';
import ejs from 'ejs';
import type { TFunction } from 'i18next';
import type { OutgoingMail } from './mailer.ts';

const EMAIL_VIEWS = path.resolve(import.meta.dirname, '../../../views/emails');

export interface MailBranding {
  organisationName: string;
  /** The sender's display name: the organisation's when one is set; null keeps the configured sender's. */
  senderName: string | null;
  primaryColor: string;
  /** Text on the primary colour: white or dark, whichever reads better. */
  onPrimaryColor: string;
  /** Absolute URL of the logo, or null for the product's name alone. */
  logoUrl: string | null;
}

export interface MailContext {
  t: TFunction;
  branding: MailBranding;
  subject: string;
  [name: string]: unknown;
}

export async function renderMail(template: string, to: string, context: MailContext): Promise<OutgoingMail> {
  // The mail's <html lang> is the language its texts are in.
  const locals = { language: context.t('common:languageCode'), ...context };
  const [html, text] = await Promise.all([
    ejs.renderFile(path.join(EMAIL_VIEWS, `${template}.html.ejs`), locals, { async: false, root: EMAIL_VIEWS }),
    ejs.renderFile(path.join(EMAIL_VIEWS, `${template}.text.ejs`), locals, { async: false, root: EMAIL_VIEWS }),
  ]);
  return { to, subject: context.subject, html, text, ...(context.branding.senderName && { fromName: context.branding.senderName }) };
}
