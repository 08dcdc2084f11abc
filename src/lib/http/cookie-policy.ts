/**
 * Cookie attributes, decided once from where the module is embedded.
 *
 * Served on the same site as MediaSpace (or only ever opened top-level), the
 * module's cookies are SameSite=Lax: the strictest value that survives the
 * top-level redirect from MediaSpace into /launch and on to the page (Strict
 * would drop the cookie on that cross-site navigation chain). When a MediaSpace
 * on another site frames the module (the channel buttons, or a room opened
 * within the page), a Lax cookie is never sent inside that frame, so the
 * cookies become SameSite=None; Secure; Partitioned: usable only inside the
 * MediaSpace page that embeds them (CHIPS), never as a cross-site tracker.
 */
export interface CookiePolicy {
  sameSite: 'lax' | 'none';
  secure: boolean;
  partitioned: boolean;
}

export interface CookiePolicyInput {
  publicUrl: string;
  embedOrigins: readonly string[];
  production: boolean;
}

export function decideCookiePolicy({ publicUrl, embedOrigins, production }: CookiePolicyInput): CookiePolicy {
  const service = new URL(publicUrl);
  const framedCrossSite = embedOrigins.some((origin) => siteOf(new URL(origin)) !== siteOf(service));
  if (framedCrossSite) return { sameSite: 'none', secure: true, partitioned: true };
  return { sameSite: 'lax', secure: production || service.protocol === 'https:', partitioned: false };
}

/** Scheme and the last two labels of the host: close enough to "site" for deciding cookie attributes. */
function siteOf(url: URL): string {
  const labels = url.hostname.split('.');
  const registrable = /^\d+$/.test(labels.at(-1) ?? '') ? url.hostname : labels.slice(-2).join('.');
  return `${url.protocol}//${registrable}`;
}

/**
 * A cookie's name under this policy: `__Host-` wherever the cookie is Secure (always with
 * Path=/ and no Domain here), so that no other host of the site, nor a plain-http page, can
 * set or replace it. Also for the partitioned cross-site cookies: `__Host-` needs only
 * Secure, Path=/ and no Domain, which CHIPS cookies have too.
 */
export function cookieName(name: string, policy: Pick<CookiePolicy, 'secure'>): string {
  return policy.secure ? `__Host-${name}` : name;
}
