/**
 * Passwords are hashed with Argon2id (OWASP's recommended parameters:
 * 19 MiB, 2 passes, 1 lane) by @node-rs/argon2, and judged by length, not by
 * composition rules (NIST SP 800-63B).
 */
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verifying against this when there is no account costs the same time as a real check. */
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('no account has this password, it only costs time');
  await verifyPassword(await dummyHash, password);
  return false;
}

/** The checks a sign-in makes, as one object so that a test can count how many attempts reach a password check. */
export const passwordChecks = { verify: verifyPassword, verifyAgainstNothing };

/** A new password: long enough, not too long, not the email address. `messages` come from the person's language. */
export function newPasswordSchema(messages: { tooShort: string; tooLong: string; mismatch: string }) {
  return z
    .object({
      password: z.string().min(PASSWORD_MIN, messages.tooShort).max(PASSWORD_MAX, messages.tooLong),
      confirmPassword: z.string(),
    })
    .refine((input) => input.password === input.confirmPassword, { path: ['confirmPassword'], message: messages.mismatch });
}
