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
