/**
 * Session IDs and what is derived from them. The raw ID only ever lives in the cookie and in
 * memory for the length of a request; stores see its SHA-256 (the store key), and logs, events and
 * listings see a short prefix of that hash (the handle), which cannot be turned back into an ID.
 */
import { hash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url without padding: 43 characters. */
export function generateId(): string {
  return randomBytes(32).toString('base64url');
}

/** The key a store files a session under: base64url SHA-256 of the raw ID. */
export function storeKeyOf(id: string): string {
  return hash('sha256', id, 'base64url');
}

/** Length of a session handle: 72 bits of the store key, plenty to tell one user's sessions apart. */
export const HANDLE_LENGTH = 12;

/** The short non-secret name of a session in logs, events and listings. */
export function handleOf(storeKey: string): string {
  return storeKey.slice(0, HANDLE_LENGTH);
}

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string has the shape of an ID we issue (says nothing about authenticity). */
export function isWellFormedId(id: string): boolean {
  return ID_PATTERN.test(id);
}
