import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Security headers. Framing is decided by CSP frame-ancestors alone (no
 * X-Frame-Options), so that the MediaSpace origins in config can embed the
 * channel buttons and the room, and nobody else can.
 */
export function securityHeaders(embedOrigins: readonly string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'", ...embedOrigins],
      },
    },
    xFrameOptions: false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}
