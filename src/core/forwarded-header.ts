/**
 * RFC 7239 `Forwarded` header parsing, and the small comma-list helpers the other proxy headers
 * need. Pure string scanning: no regular expressions, linear in the header length, never throws.
 *
 *   Forwarded         = 1#forwarded-element
 *   forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
 *   forwarded-pair    = token "=" value
 *   value             = token / quoted-string
 *
 * Strict where a lax reading could let a client smuggle something past the proxy's view of the
 * header: an unterminated quote, a pair without "=" or without a value, whitespace around "=",
 * junk after a value, a control character, or a repeated for/by/host/proto in one element makes
 * the whole header malformed (`null`), and callers then ignore it. Lenient where it is harmless:
 * optional whitespace around "," and ";", empty list elements (ignored, as RFC 7230 asks), and
 * unquoted values containing ":" "[" "]" (bare `for=[::1]:80`, which some proxies send).
 */

export interface ForwardedElement {
  /** Raw (unquoted, unescaped) `for=` node, e.g. `[2001:db8::1]:4711`; see `forwardedNodeAddress`. */
  for: string | undefined;
  by: string | undefined;
  host: string | undefined;
  /** As sent; compare case-insensitively. */
  proto: string | undefined;
}

const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMI = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

const PARAM_OTHER = 0;
const PARAM_FOR = 1;
const PARAM_BY = 2;
const PARAM_HOST = 3;
const PARAM_PROTO = 4;

/** Case-insensitive match of s[start, end) against a lower-case ASCII word. */
function equalsLower(s: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((s.charCodeAt(start + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function paramOf(s: string, start: number, end: number): number {
  switch (end - start) {
    case 2:
      return equalsLower(s, start, end, 'by') ? PARAM_BY : PARAM_OTHER;
    case 3:
      return equalsLower(s, start, end, 'for') ? PARAM_FOR : PARAM_OTHER;
    case 4:
      return equalsLower(s, start, end, 'host') ? PARAM_HOST : PARAM_OTHER;
    case 5:
      return equalsLower(s, start, end, 'proto') ? PARAM_PROTO : PARAM_OTHER;
    default:
      return PARAM_OTHER;
  }
}

/** Unquoted value character: visible ASCII except DQUOTE, "," and ";". */
function isBareValueChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== DQUOTE && c !== COMMA && c !== SEMI;
}

/** End position of the value parsed by `readQuoted` (module scratch: no allocation per call). */
let quotedEnd = 0;

/** Reads a quoted-string whose opening quote is at `start`; `null` when malformed. */
function readQuoted(s: string, start: number): string | null {
  const n = s.length;
  let i = start + 1;
  let out: string | undefined;
  let chunk = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) {
      quotedEnd = i + 1;
      return out === undefined ? s.slice(chunk, i) : out + s.slice(chunk, i);
    }
    if (c === BACKSLASH) {
      if (i + 1 >= n) return null;
      const e = s.charCodeAt(i + 1);
      if ((e < 0x20 && e !== HTAB) || e === 0x7f) return null;
      out = (out ?? '') + s.slice(chunk, i);
      chunk = i + 1;
      i += 2;
      continue;
    }
    if ((c < 0x20 && c !== HTAB) || c === 0x7f) return null;
    i++;
  }
  return null; // unterminated
}

function newElement(): ForwardedElement {
  return { for: undefined, by: undefined, host: undefined, proto: undefined };
}

/**
 * Parses a `Forwarded` header into its elements, left to right (the first element was written by
 * the proxy farthest from us). Elements without any pair (`,,` or `;;;`) are dropped. Returns
 * `null` when the header is malformed.
 */
export function parseForwarded(header: string): ForwardedElement[] | null {
  const out: ForwardedElement[] = [];
  const n = header.length;
  let el: ForwardedElement | undefined;
  let i = 0;
  for (;;) {
    while (i < n) {
      const c = header.charCodeAt(i);
      if (c !== SP && c !== HTAB) break;
      i++;
    }
    if (i >= n) break;
    const c = header.charCodeAt(i);
    if (c === COMMA) {
      if (el !== undefined) out.push(el);
      el = undefined;
      i++;
      continue;
    }
    if (c === SEMI) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < n) {
      const t = header.charCodeAt(i);
      if (t >= 128 || TCHAR[t] !== 1) break;
      i++;
    }
    if (i === nameStart || i >= n || header.charCodeAt(i) !== EQUALS) return null;
    const param = paramOf(header, nameStart, i);
    i++; // "="
    if (i >= n) return null; // `proto=` at the end
    let value: string;
    if (header.charCodeAt(i) === DQUOTE) {
      const quoted = readQuoted(header, i);
      if (quoted === null) return null;
      value = quoted;
      i = quotedEnd;
    } else {
      const valueStart = i;
      while (i < n && isBareValueChar(header.charCodeAt(i))) i++;
      if (i === valueStart) return null; // `proto=;` or `proto= x`
      value = header.slice(valueStart, i);
    }
    while (i < n) {
      const w = header.charCodeAt(i);
      if (w !== SP && w !== HTAB) break;
      i++;
    }
    if (i < n) {
      const d = header.charCodeAt(i);
      if (d !== SEMI && d !== COMMA) return null;
    }
    el ??= newElement();
    if (param === PARAM_OTHER) continue; // extension parameters are allowed and ignored
    if (param === PARAM_FOR) {
      if (el.for !== undefined) return null;
      el.for = value;
    } else if (param === PARAM_PROTO) {
      if (el.proto !== undefined) return null;
      el.proto = value;
    } else if (param === PARAM_HOST) {
      if (el.host !== undefined) return null;
      el.host = value;
    } else {
      if (el.by !== undefined) return null;
      el.by = value;
    }
  }
  if (el !== undefined) out.push(el);
  return out;
}

/**
 * The address part of a `for=` / `by=` node: `[2001:db8::1]:4711` → `2001:db8::1`,
 * `192.0.2.43:47011` → `192.0.2.43`. `unknown`, obfuscated `_hidden` names and anything that is
 * not an address come back unchanged (they match no address in trustProxy).
 */
export function forwardedNodeAddress(node: string): string {
  if (node.charCodeAt(0) === 0x5b /* [ */) {
    const close = node.indexOf(']');
    return close > 1 ? node.slice(1, close) : node;
  }
  const colon = node.indexOf(':');
  if (colon > 0 && node.indexOf(':', colon + 1) === -1) return node.slice(0, colon);
  return node;
}

/** End of the range trimmed by `trimBounds` (module scratch: no allocation per call). */
let trimmedEnd = 0;

/** Trims SP / HTAB off s[start, end): returns the new start and leaves the new end in `trimmedEnd`. */
function trimBounds(s: string, start: number, end: number): number {
  while (start < end) {
    const c = s.charCodeAt(start);
    if (c !== SP && c !== HTAB) break;
    start++;
  }
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== SP && c !== HTAB) break;
    end--;
  }
  trimmedEnd = end;
  return start;
}

/**
 * In a comma-separated list (`https, http`), whether the `k`-th non-empty entry counted from the
 * right — or the leftmost one when the list is shorter — equals `word` (lower-case ASCII),
 * case-insensitively. `k` >= 1. This is `entries[max(0, len - k)]` without splitting the string.
 */
export function listEntryFromRightIs(list: string, k: number, word: string): boolean {
  let segEnd = list.length;
  let count = 0;
  let foundStart = -1;
  let foundEnd = -1;
  for (let i = list.length - 1; i >= -1; i--) {
    if (i !== -1 && list.charCodeAt(i) !== COMMA) continue;
    const start = trimBounds(list, i + 1, segEnd);
    if (start < trimmedEnd) {
      foundStart = start;
      foundEnd = trimmedEnd;
      if (++count >= k) break;
    }
    segEnd = i;
  }
  return foundStart !== -1 && equalsLower(list, foundStart, foundEnd, word);
}

/** Whether any entry of a comma-separated list equals `word` (lower-case ASCII), case-insensitively. */
export function listHasEntry(list: string, word: string): boolean {
  let segStart = 0;
  for (let i = 0; i <= list.length; i++) {
    if (i !== list.length && list.charCodeAt(i) !== COMMA) continue;
    const start = trimBounds(list, segStart, i);
    if (equalsLower(list, start, trimmedEnd, word)) return true;
    segStart = i + 1;
  }
  return false;
}

/** Whether a header value has anything but whitespace. */
export function hasContent(value: string): boolean {
  const start = trimBounds(value, 0, value.length);
  return start < trimmedEnd;
}

/** Case-insensitive comparison of a whole (already unquoted) value with a lower-case word. */
export function valueIs(value: string | undefined, word: string): boolean {
  return value !== undefined && equalsLower(value, 0, value.length, word);
}
