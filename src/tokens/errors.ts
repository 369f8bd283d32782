/** Errors of token mode. Request-time refusals never throw: they return null plus a `rejected` event. */
import { HoldfastError } from '../core/errors.ts';

/** The claims passed to `issue()` cannot go into an access token (reserved name, not JSON, too large). */
export class TokenClaimsError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_TOKEN_CLAIMS';
}

/** No key is left to sign access tokens with (every configured signing key was revoked). */
export class NoSigningKeyError extends HoldfastError {
  override readonly code = 'ERR_HOLDFAST_NO_SIGNING_KEY';
  override readonly status = 503;
}
