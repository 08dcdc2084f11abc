/**
 * Login CSRF on GET /launch: any page could send a visitor's browser to
 * /launch with the attacker's own KS and sign them in as the attacker, so that
 * what they then do (a recording, a message, a file) is done in the attacker's
 * name. A launch is accepted when the browser says it comes from MediaSpace (an
 * embed origin), from this service itself (the demo portal, My Rooms), or from
 * the person (an address typed or opened from a bookmark); a navigation from any
 * other site is refused.
 *
 * What the browser says: Sec-Fetch-Site, then the Origin or Referer. What
 * remains: a browser that sends none of these (no Sec-Fetch-Site, no Referer)
 * cannot be told apart from MediaSpace and is let through, as are programs; and
 * MediaSpace must not hide its origin (a Referrer-Policy of no-referrer), or its
 * cross-site launches are refused.
 */
import type { Request, RequestHandler } from 'express';
import { ForbiddenError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';

const messages = {
  notFromMediaSpace: phrase('identity:errors.launchNotFromMediaSpace'),
  notFromMediaSpaceHelp: phrase('identity:errors.launchNotFromMediaSpaceHelp'),
};

export interface LaunchSources {
  /** The service's own public URL. */
  publicUrl: string;
  /** The MediaSpace origins that embed the module (EMBED_ORIGINS). */
  embedOrigins: readonly string[];
}

export interface LaunchHeaders {
  secFetchSite?: string;
  origin?: string;
  referer?: string;
}

/** Whether these request headers allow a launch from a page of one of `trusted` (origins). */
export function isTrustedLaunch({ secFetchSite, origin, referer }: LaunchHeaders, trusted: ReadonlySet<string>): boolean {
  // Our own pages, or the person's own action (typed, a bookmark): no other page chose this navigation.
  if (secFetchSite === 'same-origin' || secFetchSite === 'none') return true;
  const from = originOf(origin) ?? originOf(referer);
  if (from !== null) return trusted.has(from);
  // Another page, which hid where it is: refused. No header at all: an old browser or a program, let through.
  return secFetchSite === undefined;
}

export function requireLaunchFromMediaSpace({ publicUrl, embedOrigins }: LaunchSources): RequestHandler {
  const trusted = new Set([publicUrl, ...embedOrigins].map((url) => new URL(url).origin));
  return (req: Request, _res, next) => {
    const headers = { secFetchSite: req.get('sec-fetch-site'), origin: req.get('origin'), referer: req.get('referer') };
    if (!isTrustedLaunch(headers, trusted)) {
      throw new ForbiddenError(messages.notFromMediaSpace, { help: messages.notFromMediaSpaceHelp, code: 'LAUNCH_NOT_FROM_MEDIASPACE' });
    }
    next();
  };
}

/** The origin of a URL-valued header; null when absent, "null" (an opaque origin) or not a URL. */
function originOf(value: string | undefined): string | null {
  if (!value || value === 'null') return null;
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
