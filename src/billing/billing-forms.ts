/**
 * What the Plans and Billing forms may say, checked with zod: a licence change
 * (add, move to another plan, remove) and its confirmation, and the billing
 * contact and address (ISO 3166 countries, as Stripe wants them).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/http/validate.ts';
import type { ContactInput } from './billing-account-service.ts';
import { MAX_LICENCES_PER_CHANGE, type LicenceChange } from './plans-service.ts';

/** Codes ICU names that are not ISO 3166-1 alpha-2 countries: reserved, withdrawn or groupings. */
const NOT_COUNTRIES = new Set('AC AN BU CP CQ CS DD DG DY EA EU EZ FX HV IC NH QO RH SU TA TP UK UN VD XA XB XK YD YU ZR ZZ'.split(' '));

/** ISO 3166-1 alpha-2 codes, named in `language`, sorted by name. */
export function countries(language: string): Array<{ code: string; name: string }> {
  const names = new Intl.DisplayNames([language], { type: 'region' });
  const list: Array<{ code: string; name: string }> = [];
  for (let first = 65; first <= 90; first += 1) {
    for (let second = 65; second <= 90; second += 1) {
      const code = String.fromCharCode(first, second);
      const name = names.of(code);
      if (name && name !== code && !NOT_COUNTRIES.has(code)) list.push({ code, name });
    }
  }
  return list.sort((a, b) => a.name.localeCompare(b.name, language));
}

const COUNTRY_CODES = new Set(countries('en').map((country) => country.code));

/** The tax id types offered, each with an example as Stripe documents it; values of `compact` types carry no spaces. */
export const TAX_ID_TYPES = [
  { type: 'eu_vat', example: 'FR12345678901', compact: true },
  { type: 'gb_vat', example: 'GB123456789', compact: true },
  { type: 'ch_vat', example: 'CHE-123.456.789 MWST', compact: false },
  { type: 'li_uid', example: 'CHE123456789', compact: true },
  { type: 'no_vat', example: '123456789MVA', compact: true },
  { type: 'us_ein', example: '12-3456789', compact: true },
  { type: 'ca_bn', example: '123456789', compact: true },
  { type: 'au_abn', example: '12345678912', compact: true },
] as const;

export type TaxIdInput = { type: string; value: string; example: string };

/** A tax id as typed: its type from the list, its value upper-cased (and without spaces where the format has none). */
export function parseTaxId(req: Request): TaxIdInput {
  const t = req.t;
  const types = TAX_ID_TYPES.map((entry) => entry.type);
  const form = parseInput(
    z.object({
      type: z.enum(types, { error: t('billing:taxIds.chooseType') }),
      value: z.string({ error: t('billing:form.required') }).trim().min(1, t('billing:form.required')).max(40, t('billing:form.tooLong', { max: 40 })),
    }),
    req.body,
    t('common:errors.fixBelow'),
  );
  const entry = TAX_ID_TYPES.find((candidate) => candidate.type === form.type)!;
  const value = form.value.toUpperCase();
  return { type: form.type, value: entry.compact ? value.replace(/\s+/g, '') : value.replace(/\s+/g, ' '), example: entry.example };
}

/** Another address that receives the invoices, lower-cased. */
export function parseContactEmail(req: Request): string {
  const problem = req.t('billing:form.email');
  const form = parseInput(z.object({ contactEmail: z.string({ error: problem }).trim().toLowerCase().pipe(z.email(problem).max(254, problem)) }), req.body, req.t('common:errors.fixBelow'));
  return form.contactEmail;
}

export function parseLicenceChange(req: Request): LicenceChange {
  const t = req.t;
  const planId = z.string({ error: t('billing:form.choosePlan') }).trim().min(1, t('billing:form.choosePlan')).max(40);
  const quantity = z.preprocess(
    (value) => (typeof value === 'string' ? (value.trim() === '' ? undefined : Number(value.trim())) : value),
    z.number({ error: t('billing:form.quantityRequired') }).int(t('billing:form.wholeNumber')).min(1, t('billing:form.quantityRange', { max: MAX_LICENCES_PER_CHANGE })).max(MAX_LICENCES_PER_CHANGE, t('billing:form.quantityRange', { max: MAX_LICENCES_PER_CHANGE })),
  );
  const schema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('add'), planId, quantity }),
    z.object({ kind: z.literal('move'), fromPlanId: planId, toPlanId: planId, quantity }),
    z.object({ kind: z.literal('remove'), planId, quantity }),
  ], { error: t('billing:form.kindUnknown') });
  return parseInput(schema, req.body, t('common:errors.fixBelow'));
}

export function parseConfirmation(req: Request): { prorationDate: number; token: string } {
  const problem = req.t('billing:errors.previewFirst');
  return parseInput(z.object({ prorationDate: z.coerce.number({ error: problem }).int(problem).positive(problem), token: z.uuid(problem) }), req.body, problem);
}

export function parseContact(req: Request): ContactInput {
  const t = req.t;
  const required = (max: number) => z.string({ error: t('billing:form.required') }).trim().min(1, t('billing:form.required')).max(max, t('billing:form.tooLong', { max }));
  const optional = (max: number) => z.string().trim().max(max, t('billing:form.tooLong', { max })).optional().transform((value) => value || null);
  const form = parseInput(
    z.object({
      name: required(200),
      email: z.union([z.literal(''), z.email(t('billing:form.email')).max(254)]).optional().transform((value) => value || null),
      line1: required(200),
      line2: optional(200),
      postalCode: required(20).regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, t('billing:form.postalCode')),
      city: required(100),
      country: z.string({ error: t('billing:form.country') }).trim().toUpperCase().refine((code) => COUNTRY_CODES.has(code), t('billing:form.country')),
      purchaseOrder: optional(40),
    }),
    req.body,
    t('common:errors.fixBelow'),
  );
  return { name: form.name, email: form.email, address: { line1: form.line1, line2: form.line2 ?? '', postalCode: form.postalCode, city: form.city, country: form.country }, purchaseOrder: form.purchaseOrder };
}
