/**
 * Pictures people upload (course images, the organisation's logo, profile
 * pictures): the content is checked, not the name or the browser's claim
 * (PNG, JPEG or WebP only), and decoded whole, so broken data is refused
 * like any other bad picture; the original is kept re-encoded upright and
 * without its metadata (EXIF can carry the author and where a photo was
 * taken, and pictures are public); sized variants are made once from it. Images are addressed by a random id and served to anyone
 * who has the address, because mail clients showing an invitation have no
 * session; an id never changes content, so responses cache forever.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '../lib/db/database.ts';
import { ValidationError } from '../lib/errors/app-error.ts';

export type ImagePurpose = 'course' | 'logo' | 'avatar';

interface VariantSpec {
  width: number;
  height: number;
  fit: 'cover' | 'inside';
  format: 'webp' | 'jpeg' | 'png';
}

/** Sizes each purpose needs: course cards and invitation mails, the header logo, profile pictures. */
export const VARIANTS: Record<ImagePurpose, Record<string, VariantSpec>> = {
  course: {
    card: { width: 640, height: 360, fit: 'cover', format: 'webp' },
    // Mail clients show JPEG everywhere; WebP not yet.
    invitation: { width: 1200, height: 675, fit: 'cover', format: 'jpeg' },
  },
  logo: {
    header: { width: 480, height: 128, fit: 'inside', format: 'png' },
  },
  avatar: {
    small: { width: 96, height: 96, fit: 'cover', format: 'webp' },
    large: { width: 256, height: 256, fit: 'cover', format: 'webp' },
  },
};

type AcceptedFormat = 'png' | 'jpeg' | 'webp';
const ACCEPTED_FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };
/** Originals are re-encoded close to what was sent: PNG stays lossless. */
const ORIGINAL_OPTIONS: Record<AcceptedFormat, { quality?: number }> = { jpeg: { quality: 92 }, webp: { quality: 92 }, png: {} };
const CONTENT_TYPES: Record<VariantSpec['format'], string> = { webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };
/** Decoding bombs stop here: about 2.5 times the recommended 2560×1440, squared away generously. */
const MAX_INPUT_PIXELS = 8192 * 8192;

export interface StoredImage {
  id: string;
  purpose: ImagePurpose;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ImageFile {
  path: string;
  contentType: string;
}

function invalidPicture(field: string): ValidationError {
  return new ValidationError('The picture must be a PNG, JPEG or WebP image.', { [field]: 'must be a PNG, JPEG or WebP image' }, { code: 'IMAGE_TYPE' });
}

/**
 * The picture decoded whole and re-encoded in its own format: a header that reads well over broken or truncated
 * data fails here, before anything is stored. Orientation is applied to the pixels, and nothing of the metadata
 * is written but the colour profile.
 */
async function cleanOriginal(file: string, field: string): Promise<{ data: Buffer; contentType: string; width: number; height: number }> {
  const metadata = await sharp(file, { limitInputPixels: MAX_INPUT_PIXELS })
    .metadata()
    .catch(() => null);
  const contentType = metadata?.format ? ACCEPTED_FORMATS[metadata.format] : undefined;
  if (!metadata?.format || !contentType || !metadata.width || !metadata.height) throw invalidPicture(field);
  const encoded = await sharp(file, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning' })
    .rotate()
    .keepIccProfile()
    .toFormat(metadata.format as AcceptedFormat, ORIGINAL_OPTIONS[metadata.format as AcceptedFormat])
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => {
      if ((error as Error).message?.includes('pixel limit')) {
        throw new ValidationError('The picture has too many pixels.', { [field]: 'is too large in pixels' }, { code: 'IMAGE_TOO_MANY_PIXELS' });
      }
      // Every other failure here is the picture's data: sharp reads a file that multer has already written.
      throw invalidPicture(field);
    });
  return { data: encoded.data, contentType, width: encoded.info.width, height: encoded.info.height };
}

export class ImageService {
  readonly #db: Db;
  readonly #dir: string;

  constructor(db: Db, imagesDir: string) {
    this.#db = db;
    this.#dir = imagesDir;
  }

  /**
   * Checks and stores an uploaded picture. `field` names the form field in the error a person sees.
   * Either the picture is stored with all its variants and its record, or nothing is.
   */
  async store(upload: { path: string; bytes: number }, purpose: ImagePurpose, createdBy: string, now: number, field = 'image'): Promise<StoredImage> {
    const original = await cleanOriginal(upload.path, field);
    const id = randomUUID();
    const folder = path.join(this.#dir, id);
    mkdirSync(folder, { recursive: true });
    try {
      writeFileSync(path.join(folder, 'original'), original.data);
      for (const [name, spec] of Object.entries(VARIANTS[purpose])) {
        await sharp(original.data)
          .resize(spec.width, spec.height, { fit: spec.fit, withoutEnlargement: spec.fit === 'inside' })
          .toFormat(spec.format, spec.format === 'jpeg' ? { quality: 82, mozjpeg: true } : { quality: 82 })
          .toFile(path.join(folder, name));
      }
      const image: StoredImage = { id, purpose, contentType: original.contentType, width: original.width, height: original.height, bytes: original.data.length };
      await this.#db
        .insertInto('stored_images')
        .values({ id, purpose, content_type: image.contentType, width: image.width, height: image.height, bytes: image.bytes, created_by: createdBy, created_at: now })
        .execute();
      return image;
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Originals stored before pictures were cleaned on upload may still carry their metadata: each is
   * rewritten once, upright and without it (written aside, then renamed over, so nobody is sent half
   * a file). Answers how many were cleaned; one that cannot be read is left as it was.
   */
  async cleanStoredOriginals(): Promise<number> {
    let cleaned = 0;
    for (const { id } of await this.#db.selectFrom('stored_images').select('id').execute()) {
      if (await this.#cleanStoredOriginal(id)) cleaned++;
    }
    return cleaned;
  }

  async #cleanStoredOriginal(id: string): Promise<boolean> {
    const file = path.join(this.#dir, id, 'original');
    const metadata = await sharp(file, { limitInputPixels: MAX_INPUT_PIXELS })
      .metadata()
      .catch(() => null);
    if (!metadata || !(metadata.exif || metadata.xmp || metadata.iptc || (metadata.orientation ?? 1) !== 1)) return false;
    try {
      const original = await cleanOriginal(file, 'image');
      writeFileSync(`${file}.clean`, original.data);
      renameSync(`${file}.clean`, file);
      await this.#db.updateTable('stored_images').set({ width: original.width, height: original.height, bytes: original.data.length }).where('id', '=', id).execute();
      return true;
    } catch {
      // Deleted meanwhile, or not readable as a whole: nothing to clean, or nothing this can clean.
      rmSync(`${file}.clean`, { force: true });
      return false;
    }
  }

  async find(id: string): Promise<StoredImage | null> {
    const row = await this.#db.selectFrom('stored_images').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, purpose: row.purpose as ImagePurpose, contentType: row.content_type, width: row.width, height: row.height, bytes: Number(row.bytes) } : null;
  }

  /** The file of one variant ('original' or a name of VARIANTS), or null. */
  async file(id: string, variant: string): Promise<ImageFile | null> {
    const image = await this.find(id);
    if (!image) return null;
    if (variant === 'original') return { path: path.join(this.#dir, id, 'original'), contentType: image.contentType };
    const spec = VARIANTS[image.purpose][variant];
    return spec ? { path: path.join(this.#dir, id, variant), contentType: CONTENT_TYPES[spec.format] } : null;
  }

  /** Removes an image and its files; a replaced course image or logo leaves nothing behind. */
  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('stored_images').where('id', '=', id).execute();
    rmSync(path.join(this.#dir, id), { recursive: true, force: true });
  }

  /** Public address of a variant, for pages and mails. */
  static url(id: string, variant: string): string {
    return `/images/${id}/${variant}`;
  }
}
