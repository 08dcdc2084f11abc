/**
 * The HTTP face of the emulator, mounted at /api_v3. Like Kaltura it answers
 * everything, even broken requests, with HTTP 200 and JSON.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { RequestOrigin } from './action-types.ts';
import { answerCall, entryDownload, type Emulation } from './call-dispatcher.ts';
import { answerMultirequest } from './multirequest.ts';
import { apiError, toErrorResponse, type KalturaApiError } from './kaltura-errors.ts';
import multer from 'multer';
import { isMultipart, multipartBodies, multipartParams } from './multipart-params.ts';
import type { Params } from './param-readers.ts';

const BODY_LIMIT = '1mb';
/** downloadPath()'s shape, as an Express route. */
const DOWNLOAD_ROUTE = '/p/:partnerId/sp/:sp/playManifest/entryId/:entryId/format/download/protocol/:protocol/flavorParamIds/:flavor';

export function createEmulatorRouter(emulation: Emulation, countRequest: () => void): Router {
  const router = express.Router();
  router.use((_req, _res, next) => {
    countRequest();
    next();
  });
  router.use(multipartBodies());
  // Kaltura reads the JSON body whatever content type the client claims, but for a file upload.
  router.use(express.json({ limit: BODY_LIMIT, type: (req) => !isMultipart(req as Request) }));

  router.post(['/service/multirequest', '/service/multirequest/action/:action'], (req, res) => {
    sendJson(res, answerMultirequest(emulation, bodyParams(req), originOf(req)));
  });
  router.post('/service/:service/action/:action', (req, res) => {
    const { service = '', action = '' } = req.params;
    sendJson(res, answerCall(emulation, { service, action, params: bodyParams(req), origin: originOf(req) }));
  });
  router.get([`${DOWNLOAD_ROUTE}/ks/:ks`, DOWNLOAD_ROUTE], (req, res) => {
    const params = req.params as Record<string, string | undefined>;
    const ks = params.ks ?? (typeof req.query.ks === 'string' ? req.query.ks : '');
    const download = entryDownload(emulation, { partnerId: Number(params.partnerId), entryId: params.entryId ?? '', ks, origin: originOf(req) });
    if (!download) {
      res.status(404).type('text/plain').send('Entry not found');
      return;
    }
    res.status(200).type('video/mp4').set('content-disposition', `attachment; filename="${download.entryId}.mp4"`).send(download.content);
  });
  router.use((req, res) => {
    sendJson(res, toErrorResponse(unroutedRequestError(req.path)));
  });
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendJson(res, toErrorResponse(bodyError(error)));
  });
  return router;
}

function bodyParams(req: Request): Params {
  if (isMultipart(req)) return multipartParams(req.body ?? {}, Array.isArray(req.files) ? req.files : []);
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...(body as Params) } : {};
}

/** The peer's own address (the emulator sits behind no proxy, so forwarded headers are not believed) and the path asked for. */
function originOf(req: Request): RequestOrigin {
  return { remoteAddress: req.socket.remoteAddress ?? '', uri: req.originalUrl, baseUrl: `${req.protocol}://${req.get('host') ?? ''}${req.baseUrl}` };
}

function unroutedRequestError(path: string): KalturaApiError {
  return /^\/service\/[^/]+\/?$/.test(path) ? apiError('ACTION_NOT_SPECIFIED') : apiError('SERVICE_NOT_SPECIFIED');
}

function bodyError(error: unknown): unknown {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return apiError('INTERNAL_SERVERL_ERROR', { ERROR: 'the request body is not valid JSON' });
  if (type === 'entity.too.large') return apiError('INTERNAL_SERVERL_ERROR', { ERROR: `the request body is larger than ${BODY_LIMIT}` });
  if (error instanceof multer.MulterError) return apiError('INTERNAL_SERVERL_ERROR', { ERROR: `the upload was refused (${error.code})` });
  return error;
}

function sendJson(res: Response, body: unknown): void {
  res.status(200).type('application/json').send(JSON.stringify(body ?? null));
}
