/**
 * holdfast/tokens — token mode for APIs and mobile apps: short-lived access JWTs (jose) and
 * rotating one-time refresh tokens in families, with reuse detection. See docs/tokens.md.
 *
 *   import { createTokens, MemoryTokenStore } from 'holdfast/tokens';
 *   const tokens = createTokens({ secrets: process.env.TOKEN_SECRET!, store, audience: 'https://api.example.com' });
 */
export { createTokens } from './tokens.ts';
export type { FamilyInfo, IssuedTokens, Tokens, VerifiedAccessToken } from './tokens.ts';
export type { TokensOptions } from './options.ts';
export type { AccessAlgorithm, AccessKey, AccessKeys, KeyMaterial } from './access-keys.ts';
export type { TokenEventBase, TokenEventMap, TokenEventName, TokenListener, TokenRejectReason } from './events.ts';
export type { EpochMs, TokenFamily, TokenStore } from './store.ts';
export { NoSigningKeyError, TokenClaimsError } from './errors.ts';
export { MemoryTokenStore } from '../stores/memory/token-store.ts';
