import type { Response } from 'express';

export interface LaunchAnswer {
  launchUrl: string;
  roomId: string;
  roomRole: string;
  openInNewTab: boolean;
}

/** Into the room: a browser follows a 303 to the one-time launch URL; API callers get it as JSON. */
export function sendLaunch(res: Response, launch: LaunchAnswer): void {
  res.set('Cache-Control', 'no-store');
  res.format({
    html: () => res.redirect(303, launch.launchUrl),
    json: () => res.json(launch),
  });
}
