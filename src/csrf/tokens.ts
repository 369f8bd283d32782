/**
 * Synchronizer tokens: base64url HMAC-SHA256 of a binding, under a key derived from the engine's
 * secrets with the label 'holdfast csrf' (HKDF; never the cookie-signing key). A binding names
 * what the token belongs to:
 *   `s:<store key>`  a stored session (the SHA-256 of its ID, so a new ID gives a new token);
 *   `p:<nonce>`      a pre-session cookie (login forms rendered before any session exists).
 * A token says nothing about its binding; verification is a constant-time MAC comparison.
 */
import type { EngineCore } from '../core/engine-core.ts';
import type { DerivedMac } from '../core/keyring.ts';

export const CSRF_KEY_LABEL = 'holdfast csrf v1';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const macs = new WeakMap<EngineCore, DerivedMac>();

/** The engine's CSRF MAC, derived once per engine. */
export function csrfMacOf(engine: EngineCore): DerivedMac {
  let mac = macs.get(engine);
  if (mac === undefined) macs.set(engine, (mac = engine.keyring.derive(CSRF_KEY_LABEL)));
  return mac;
}

export function sessionBinding(storeKey: string): string {
  return `s:${storeKey}`;
}

export function preSessionBinding(nonce: string): string {
  return `p:${nonce}`;
}

export function tokenFor(mac: DerivedMac, binding: string): string {
  return mac.sign(binding);
}

/** Whether `token` is the token of any of `bindings` (each compared in constant time). */
export function tokenMatchesAny(mac: DerivedMac, token: string, bindings: readonly string[]): boolean {
  if (!TOKEN.test(token)) return false;
  let ok = false;
  for (const binding of bindings) if (mac.verify(binding, token)) ok = true;
  return ok;
}
