/**
 * Everything above as one pino options fragment:
 *
 * ```ts
 * import pino from 'pino';
 * import { pinoOptions } from 'holdfast/logging';
 * const log = pino({ ...pinoOptions(), level: 'info' });
 * app.use(session({ secrets, store, logger: log.child({ appid: 'shop.web' }) }));
 * ```
 */
import { CENSOR, REDACT_PATHS, scrubRequest, scrubResponse } from './redact.ts';
import { sessionSerializer } from './session-fields.ts';

export interface HoldfastPinoOptions {
  redact: { paths: string[]; censor: string };
  serializers: { req: (req: unknown) => unknown; res: (res: unknown) => unknown; session: (session: unknown) => unknown };
}

/** `redact` (REDACT_PATHS) and `req` / `res` / `session` serializers for pino(). Spread it first, then your own options. */
export function pinoOptions(): HoldfastPinoOptions {
  return {
    redact: { paths: [...REDACT_PATHS], censor: CENSOR },
    serializers: { req: scrubRequest, res: scrubResponse, session: sessionSerializer },
  };
}
