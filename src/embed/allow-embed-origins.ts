import type { RequestHandler } from 'express';

/**
 * CORS for the embed API: only the configured MediaSpace origins, never with
 * credentials (the KS travels in the request, cookies never do).
 */
export function allowEmbedOrigins(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Methods': 'GET', Vary: 'Origin', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    }
    next();
  };
}
