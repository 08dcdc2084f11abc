/**
 * Pictures for upload tests, made with sharp: real PNG/JPEG files of a given
 * size and colour, padded to an exact byte count when a test is about a size limit.
 */
import sharp from 'sharp';

export interface ImageSpec {
  width?: number;
  height?: number;
  colour?: string;
  format?: 'png' | 'jpeg' | 'webp';
  /** Pads the file with zero bytes after the image data up to exactly this many bytes. */
  bytes?: number;
}

export async function buildImage({ width = 64, height = 48, colour = '#336699', format = 'png', bytes }: ImageSpec = {}): Promise<Buffer> {
  const image = await sharp({ create: { width, height, channels: 3, background: colour } }).toFormat(format).toBuffer();
  if (bytes === undefined) return image;
  if (bytes < image.length) throw new Error(`an image of ${width}×${height} needs at least ${image.length} bytes`);
  return Buffer.concat([image, Buffer.alloc(bytes - image.length)]);
}

/** A form with one file in `field`, and any other fields, as a browser sends it. */
export function uploadForm(field: string, file: Buffer, { name = 'picture.png', type = 'image/png', fields = {} }: { name?: string; type?: string; fields?: Record<string, string> } = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append(field, new Blob([new Uint8Array(file)], { type }), name);
  return form;
}

/** What a phone's photo says about itself: its author and where it was taken, and that it was taken turned a quarter. */
export const PHOTO_EXIF = { artist: 'Jane Photographer', latitude: '48/1 51/1 2438/100' } as const;

/** A 300×200 picture stored sideways (EXIF orientation 6: shown upright it is 200×300), carrying PHOTO_EXIF. */
export async function photoWithExif(format: 'jpeg' | 'webp' | 'png' = 'jpeg'): Promise<Buffer> {
  return sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Artist: PHOTO_EXIF.artist, Copyright: PHOTO_EXIF.artist }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: PHOTO_EXIF.latitude } })
    .toFormat(format)
    .toBuffer();
}

/** Where each format's compressed pixels start, past the headers that a quick look reads: a marker, and how far past it. */
const PIXEL_DATA = { png: ['IDAT', 8], jpeg: ['\xff\xda', 20], webp: ['VP8 ', 18] } as const;

/**
 * A picture whose header reads well over damaged data: `truncated` stops two thirds in, `broken` keeps
 * every byte but scrambles the compressed pixels (never writing 0xFF, so a JPEG gains no marker).
 */
export async function damagedPicture(format: 'png' | 'jpeg' | 'webp', damage: 'truncated' | 'broken'): Promise<Buffer> {
  const noise = Buffer.alloc(200 * 150 * 3, 0);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
  const picture = await sharp(noise, { raw: { width: 200, height: 150, channels: 3 } }).toFormat(format).toBuffer();
  if (damage === 'truncated') return picture.subarray(0, Math.floor((picture.length * 2) / 3));
  const [marker, offset] = PIXEL_DATA[format];
  const start = picture.indexOf(Buffer.from(marker, 'latin1')) + offset;
  const broken = Buffer.from(picture);
  for (let i = start; i < broken.length - 16; i++) broken[i] = (i * 37) % 255;
  return broken;
}
