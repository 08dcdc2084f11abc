/**
 * How long a request may take to arrive, headers and body. Node's own
 * request timeout is one number for the whole server, and uploads of large
 * files on slow lines need an hour; every other route gets a short deadline
 * here, so that a body trickled in slowly cannot hold a connection (and a
 * worker's memory) for that hour. Upload routes lengthen the deadline for
 * their request once they start reading files (see multipart.ts), after the
 * person and the place have been checked.
 */
import { STATUS_CODES } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';

export interface RequestDeadlines {
  requestMs: number;
  uploadMs: number;
}

const lengthen = new WeakMap<Request, () => void>();

export function requestDeadline({ requestMs, uploadMs }: RequestDeadlines): RequestHandler {
  return (req, res, next) => {
    // A request without a body (or with all of it here) has nothing left to wait for.
    if (req.complete) return next();
    let timer = setTimeout(() => cutOff(req, res), requestMs);
    const done = () => clearTimeout(timer);
    req.once('end', done);
    req.once('aborted', done);
    res.once('close', () => {
      if (req.complete) done();
    });
    lengthen.set(req, () => {
      clearTimeout(timer);
      timer = setTimeout(() => cutOff(req, res), uploadMs);
    });
    next();
  };
}

/** Gives this request the upload deadline: called by upload routes when they start reading the files. */
export function allowUploadTime(req: Request): void {
  lengthen.get(req)?.();
}

/** 408 and the connection closed; if an answer has already gone, only the connection is closed. */
function cutOff(req: Request, res: Response): void {
  if (req.complete) return;
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  // The Kaltura emulator's routes come before the language is known: they get the status's own words.
  const message = typeof req.t === 'function' ? req.t('common:httpErrors.tooSlow') : STATUS_CODES[408]!;
  res.status(408).set('Connection', 'close').type('text/plain').send(message);
}
