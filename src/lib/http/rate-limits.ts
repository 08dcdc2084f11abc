import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error.ts';

export function createRateLimit(windowSeconds: number, limit: number): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(new AppError(429, 'Too many requests from your address.', { code: 'RATE_LIMITED', help: `Wait a minute and try again.` })),
  });
}
