/**
 * An invoice as a PDF, as Stripe links it from `invoice_pdf`: one A4 page of
 * text (Helvetica), written by hand with a correct cross-reference table so
 * that any PDF reader opens it.
 */
import type { StripeObject } from './emulator-state.ts';
import { formatAmount } from './billing-cycle.ts';

export function invoiceLines(invoice: StripeObject): string[] {
  const day = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000).toISOString().slice(0, 10) : '-');
  const address = invoice.customer_address as Record<string, string | null> | null;
  return [
    `Invoice ${invoice.number ?? '(draft)'}`,
    `Status: ${invoice.status}`,
    `Date: ${day(invoice.created)}   Period: ${day(invoice.period_start)} to ${day(invoice.period_end)}`,
    ...(invoice.due_date ? [`Due: ${day(invoice.due_date)}`] : []),
    `Bill to: ${invoice.customer_name ?? ''}`,
    ...(address ? [[address.line1, address.line2, address.postal_code, address.city, address.country].filter(Boolean).join(', ')] : []),
    ...(invoice.customer_tax_ids as Array<{ type: string; value: string }>).map((tax) => `Tax id (${tax.type}): ${tax.value}`),
    ...((invoice.custom_fields as Array<{ name: string; value: string }> | null) ?? []).map((field) => `${field.name}: ${field.value}`),
    '',
    ...invoice.lines.data.map((line: StripeObject) => `${line.description}   ${formatAmount(line.amount, invoice.currency)}`),
    '',
    `Subtotal: ${formatAmount(invoice.subtotal, invoice.currency)}`,
    `Tax: ${formatAmount(0, invoice.currency)}`,
    `Total: ${formatAmount(invoice.total, invoice.currency)}`,
    `Amount due: ${formatAmount(invoice.amount_remaining, invoice.currency)}`,
  ];
}

export function renderPdf(lines: string[]): Buffer {
  const escape = (line: string) => line.replace(/[^\x20-\x7e]/g, '?').replace(/([\\()])/g, '\\$1');
  const content = ['BT', '/F1 11 Tf', '50 790 Td', '15 TL', ...lines.map((line) => `(${escape(line)}) '`), 'ET'].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
