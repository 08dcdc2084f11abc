/**
 * The organisation's branding: a logo and two colours, applied to the
 * backend, the room, the demo portal and the mails. Read on every page, so it
 * is remembered briefly; a save takes effect at once on this instance.
 */
import type { Db } from '../lib/db/database.ts';
import { ShortLivedCache } from '../lib/cache/short-lived-cache.ts';
import type { MailBranding } from '../lib/mail/mail-templates.ts';
import { ImageService } from '../images/image-service.ts';
import { textOn } from './contrast.ts';

export const DEFAULT_BRANDING = { primaryColor: '#0b5cad', secondaryColor: '#1f7a4d' } as const;
const ORGANISATION = 'organisation';
const REMEMBER_MS = 5_000;

export interface Branding {
  logoImageId: string | null;
  primaryColor: string;
  secondaryColor: string;
  /** Empty until an administrator names it: mails then name the product. */
  organisationName: string;
  /** 0 until an administrator saves the branding page. */
  version: number;
  updatedBy: string | null;
  updatedAt: number | null;
}

export interface BrandingChange {
  logoImageId: string | null;
  primaryColor: string;
  secondaryColor: string;
  organisationName: string;
}

/** What a save answers: the branding as saved, or `stale` when someone else saved first (nothing was changed). */
export type SaveOutcome = { saved: true; branding: Branding } | { saved: false };

export class BrandingService {
  readonly #db: Db;
  readonly #publicUrl: string;
  readonly #now: () => number;
  readonly #images: ImageService | null;
  /** One entry: a burst of pages when it runs out shares one query, and a read that raced a save is not kept. */
  readonly #remembered: ShortLivedCache<typeof ORGANISATION, Branding>;

  /** `images` stores and removes logos; without it the logo cannot be changed (colours still can). */
  constructor(db: Db, publicUrl: string, now: () => number, images: ImageService | null = null) {
    this.#db = db;
    this.#publicUrl = publicUrl;
    this.#now = now;
    this.#images = images;
    this.#remembered = new ShortLivedCache({ ttlMs: REMEMBER_MS, maxEntries: 1, now });
  }

  /** The branding, remembered for a few seconds; `fresh` reads the database (before a change). */
  current({ fresh = false }: { fresh?: boolean } = {}): Promise<Branding> {
    return fresh ? this.#read() : this.#remembered.get(ORGANISATION, () => this.#read());
  }

  async #read(): Promise<Branding> {
    const row = await this.#db.selectFrom('branding').selectAll().where('id', '=', ORGANISATION).executeTakeFirst();
    return row
      ? { logoImageId: row.logo_image_id, primaryColor: row.primary_color, secondaryColor: row.secondary_color, organisationName: row.organisation_name ?? '', version: row.version, updatedBy: row.updated_by, updatedAt: Number(row.updated_at) }
      : { logoImageId: null, ...DEFAULT_BRANDING, organisationName: '', version: 0, updatedBy: null, updatedAt: null };
  }

  /**
   * Saves a change made on top of `expectedVersion`; answers false, changing nothing,
   * when someone else saved in between.
   */
  async save(change: BrandingChange, expectedVersion: number, updatedBy: string): Promise<boolean> {
    const now = this.#now();
    const values = { logo_image_id: change.logoImageId, primary_color: change.primaryColor, secondary_color: change.secondaryColor, organisation_name: change.organisationName || null, updated_by: updatedBy, updated_at: now };
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
    this.#remembered.forget(ORGANISATION);
    return saved;
  }

  /** New colours on top of `expectedVersion`, keeping the logo. */
  async saveColours(colours: { primaryColor: string; secondaryColor: string }, expectedVersion: number, by: string): Promise<SaveOutcome> {
    const current = await this.current({ fresh: true });
    if (current.version !== expectedVersion) return { saved: false };
    return this.#saved(await this.save({ ...current, ...colours }, expectedVersion, by));
  }

  /** The organisation's name on top of `expectedVersion` (empty: mails name the product again), keeping the rest. */
  async saveOrganisationName(organisationName: string, expectedVersion: number, by: string): Promise<SaveOutcome> {
    const current = await this.current({ fresh: true });
    if (current.version !== expectedVersion) return { saved: false };
    return this.#saved(await this.save({ ...current, organisationName }, expectedVersion, by));
  }

  /**
   * A new logo from an upload (checked and sized by the image service). The replaced logo is
   * removed; when the save is refused as stale, the new one is removed instead, so nothing is left over.
   */
  async replaceLogo(upload: { path: string; bytes: number }, expectedVersion: number, by: string): Promise<SaveOutcome> {
    const images = this.#requireImages();
    const current = await this.current({ fresh: true });
    if (current.version !== expectedVersion) return { saved: false };
    const logo = await images.store(upload, 'logo', by, this.#now(), 'logo');
    let saved = false;
    try {
      saved = await this.save({ ...current, logoImageId: logo.id }, expectedVersion, by);
    } finally {
      if (!saved) await images.delete(logo.id);
    }
    if (saved && current.logoImageId) await images.delete(current.logoImageId);
    return this.#saved(saved);
  }

  /** Back to the product's name in the header; the logo's files are removed. */
  async removeLogo(expectedVersion: number, by: string): Promise<SaveOutcome> {
    const images = this.#requireImages();
    const current = await this.current({ fresh: true });
    if (current.version !== expectedVersion) return { saved: false };
    const saved = await this.save({ ...current, logoImageId: null }, expectedVersion, by);
    if (saved && current.logoImageId) await images.delete(current.logoImageId);
    return this.#saved(saved);
  }

  async #saved(saved: boolean): Promise<SaveOutcome> {
    return saved ? { saved: true, branding: await this.current({ fresh: true }) } : { saved: false };
  }

  #requireImages(): ImageService {
    if (!this.#images) throw new Error('BrandingService was built without an image service');
    return this.#images;
  }

  /**
   * What mails need: the organisation's name (the product's, `productName`, until one is set), absolute
   * addresses, since a mail client has no base URL, and the text colour that reads on the primary colour.
   */
  async mailBranding(productName = 'Live Rooms'): Promise<MailBranding> {
    const branding = await this.current();
    return {
      organisationName: branding.organisationName || productName,
      senderName: branding.organisationName || null,
      primaryColor: branding.primaryColor,
      onPrimaryColor: textOn(branding.primaryColor).text,
      logoUrl: branding.logoImageId ? `${this.#publicUrl}${ImageService.url(branding.logoImageId, 'header')}` : null,
    };
  }
}
