import { pino, type DestinationStream, type Logger } from 'pino';
import { withoutSecrets } from './redact.ts';

export type { Logger };

/** The service's logger; `destination` is standard output unless a test captures the lines. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.query.ks', 'req.query.token', 'req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      // The last net: whatever a line says (an error's message, a field someone adds), no secret of an address is written.
      hooks: { streamWrite: withoutSecrets },
    },
    destination,
  );
}
