/**
 * The organisation's branding: a logo and two colours, applied to the
 * backend, the room, the demo portal and the mails. Read on every page, so it
 * is remembered briefly; a save takes effect at once on this instance.
 */
import type { Db } from '../lib/db/database.ts';
import type { MailBranding } from '../lib/mail/mail-templates.ts';
import { ImageService } from '../images/image-service.ts';

export const DEFAULT_BRANDING = { primaryColor: '#0b5cad', secondaryColor: '#1f7a4d' } as const;
const ORGANISATION = 'organisation';
const REMEMBER_MS = 5_000;

export interface Branding {
  logoImageId: string | null;
  primaryColor: string;
  secondaryColor: string;
  /** 0 until an administrator saves the branding page. */
  version: number;
  updatedBy: string | null;
  updatedAt: number | null;
}

export interface BrandingChange {
  logoImageId: string | null;
  primaryColor: string;
  secondaryColor: string;
}

export class BrandingService {
  readonly #db: Db;
  readonly #publicUrl: string;
  readonly #now: () => number;
  #remembered: { branding: Branding; until: number } | null = null;

  constructor(db: Db, publicUrl: string, now: () => number) {
    this.#db = db;
    this.#publicUrl = publicUrl;
    this.#now = now;
  }

  async current(): Promise<Branding> {
    const now = this.#now();
    if (this.#remembered && this.#remembered.until > now) return this.#remembered.branding;
    const row = await this.#db.selectFrom('branding').selectAll().where('id', '=', ORGANISATION).executeTakeFirst();
    const branding: Branding = row
      ? { logoImageId: row.logo_image_id, primaryColor: row.primary_color, secondaryColor: row.secondary_color, version: row.version, updatedBy: row.updated_by, updatedAt: Number(row.updated_at) }
      : { logoImageId: null, ...DEFAULT_BRANDING, version: 0, updatedBy: null, updatedAt: null };
    this.#remembered = { branding, until: now + REMEMBER_MS };
    return branding;
  }

  /**
   * Saves a change made on top of `expectedVersion`; answers false, changing nothing,
   * when someone else saved in between.
   */
  async save(change: BrandingChange, expectedVersion: number, updatedBy: string): Promise<boolean> {
    const now = this.#now();
    const values = { logo_image_id: change.logoImageId, primary_color: change.primaryColor, secondary_color: change.secondaryColor, updated_by: updatedBy, updated_at: now };
    let saved: boolean;
    if (expectedVersion === 0) {
      const result = await this.#db
        .insertInto('branding')
        .values({ id: ORGANISATION, version: 1, ...values })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      saved = Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    } else {
      const result = await this.#db
        .updateTable('branding')
        .set({ ...values, version: expectedVersion + 1 })
        .where('id', '=', ORGANISATION)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      saved = Number(result.numUpdatedRows) === 1;
    }
    this.#remembered = null;
    return saved;
  }

  /** What mails need: absolute addresses, since a mail client has no base URL. */
  async mailBranding(organisationName = 'Live Rooms'): Promise<MailBranding> {
    const branding = await this.current();
    return {
      organisationName,
      primaryColor: branding.primaryColor,
      logoUrl: branding.logoImageId ? `${this.#publicUrl}${ImageService.url(branding.logoImageId, 'header')}` : null,
    };
  }
}
