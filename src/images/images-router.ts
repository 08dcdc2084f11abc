import { Router } from 'express';
import { NotFoundError } from '../lib/errors/app-error.ts';
import { phrase } from '../lib/i18n/phrase.ts';
import type { ImageService } from './image-service.ts';

const ID = /^[0-9a-f-]{36}$/;
const VARIANT = /^[a-z]{1,20}$/;

export function createImagesRouter(images: ImageService): Router {
  const router = Router();
  router.get('/images/:id/:variant', async (req, res) => {
    const { id, variant } = req.params;
    const file = ID.test(id) && VARIANT.test(variant) ? await images.file(id, variant) : null;
    if (!file) throw new NotFoundError(phrase('common:httpErrors.noPicture'));
    // Pictures appear in mails and framed pages on other sites.
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    res.set('Cache-Control', 'public, max-age=31536000, immutable');
    res.set('X-Content-Type-Options', 'nosniff');
    // The path is made by the service from a checked id; a data folder under a dot-folder is fine.
    res.type(file.contentType).sendFile(file.path, { dotfiles: 'allow' });
  });
  return router;
}
