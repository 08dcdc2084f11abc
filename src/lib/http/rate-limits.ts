import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors/app-error.ts';
import { phrase } from '../i18n/phrase.ts';

export interface RateLimitOptions {
  /** Whose requests count together: by default the client's address. */
  keyOf?: (req: Request) => string;
  /** The translation key of what the person is told (its help is the same key + "Help"). */
  message?: string;
}

export function createRateLimit(windowSeconds: number, limit: number, { keyOf, message = 'common:httpErrors.rateLimited' }: RateLimitOptions = {}): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Without trusted proxies (the default) a client's X-Forwarded-For is ignored on purpose, not a misconfiguration.
    validate: { xForwardedForHeader: false },
    ...(keyOf && { keyGenerator: keyOf }),
    handler: (_req, _res, next) => next(new AppError(429, phrase(message), { code: 'RATE_LIMITED', help: phrase(`${message}Help`) })),
  });
}

/**
 * The signed-in person, else the client's address: people behind one school's address do not
 * share one budget, and someone signed in cannot renew theirs by changing address.
 */
export function personOrAddress(req: Request): string {
  return req.auth ? `person:${req.auth.userId}` : addressKey(req);
}

/** The client's address as every per-address limit counts it (IPv6 by its /56 network, as express-rate-limit does). */
export function addressKey(req: Request): string {
  return `address:${ipKeyGenerator(req.ip ?? '')}`;
}
