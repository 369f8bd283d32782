/** The error adapters hand their framework for a refused request: 403, generic message, no reason. */
import { HoldfastError } from '../core/errors.ts';
import { VARY_VALUE } from './vary.ts';

export class CsrfError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_CSRF';
  override readonly status = 403;
  /** statusCode too, for frameworks (Express finalhandler, Fastify) that read that name. */
  readonly statusCode = 403;
  override readonly expose = true;
  /** Headers error handlers that honour `err.headers` (Koa, finalhandler) put on the 403. */
  readonly headers: Readonly<Record<string, string>> = Object.freeze({ Vary: VARY_VALUE });

  constructor() {
    super('Forbidden');
  }
}
