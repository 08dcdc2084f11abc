import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error.ts';
import { phrase } from '../i18n/phrase.ts';

export function createRateLimit(windowSeconds: number, limit: number): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Without trusted proxies (the default) a client's X-Forwarded-For is ignored on purpose, not a misconfiguration.
    validate: { xForwardedForHeader: false },
    handler: (_req, _res, next) =>
      next(new AppError(429, phrase('common:httpErrors.rateLimited'), { code: 'RATE_LIMITED', help: phrase('common:httpErrors.rateLimitedHelp') })),
  });
}
