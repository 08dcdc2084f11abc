/**
 * Kaltura session strings in the KS v1 layout:
 * base64( sha1hex(adminSecret + info) + "|" + info ), where info is
 * "partnerId;partnerId;expiry;type;random;userId;privileges;masterPartnerId;additionalData".
 * Kaltura signs every KS with the partner's admin secret, whatever its type.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export interface KsFields {
  partnerId: number;
  /** Unix seconds after which the KS is no longer accepted. */
  expiry: number;
  type: number;
  random: string;
  userId: string;
  privileges: string;
}

export interface DecodedKs {
  signature: string;
  info: string;
  fields: KsFields;
}

const FIELD_SEPARATOR = ';';
const BASE64_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;
const SHA1_HEX_PATTERN = /^[0-9a-f]{40}$/;
const INTEGER_PATTERN = /^-?\d+$/;

export function encodeKs(fields: KsFields, adminSecret: string): string {
  const info = [
    fields.partnerId,
    fields.partnerId,
    fields.expiry,
    fields.type,
    fields.random,
    fields.userId,
    fields.privileges,
    '',
    '',
  ].join(FIELD_SEPARATOR);
  return Buffer.from(`${sign(info, adminSecret)}|${info}`, 'utf8').toString('base64');
}

/** A random part that keeps two sessions started in the same instant distinct. */
export function randomKsPart(): string {
  return String(randomInt(1, 2 ** 47));
}

/** Parses the KS layout without checking its signature; null when it is not a KS at all. */
export function decodeKs(ks: string): DecodedKs | null {
  if (!BASE64_PATTERN.test(ks)) return null;
  const decoded = Buffer.from(ks.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  const separator = decoded.indexOf('|');
  if (separator < 0) return null;
  const signature = decoded.slice(0, separator);
  const info = decoded.slice(separator + 1);
  const parts = info.split(FIELD_SEPARATOR);
  const [partnerId, , expiry, type, random = '', userId = '', privileges = ''] = parts;
  if (!SHA1_HEX_PATTERN.test(signature) || parts.length < 4) return null;
  if (!isInteger(partnerId) || !isInteger(expiry) || !isInteger(type)) return null;
  return {
    signature,
    info,
    fields: { partnerId: Number(partnerId), expiry: Number(expiry), type: Number(type), random, userId, privileges },
  };
}

export function hasValidSignature(decoded: DecodedKs, adminSecret: string): boolean {
  const expected = Buffer.from(sign(decoded.info, adminSecret), 'utf8');
  const actual = Buffer.from(decoded.signature, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function sign(info: string, adminSecret: string): string {
  return createHash('sha1').update(adminSecret + info, 'utf8').digest('hex');
}

function isInteger(value: string | undefined): value is string {
  return value !== undefined && INTEGER_PATTERN.test(value);
}
