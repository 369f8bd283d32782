/**
 * One cookie's value from a `Cookie` header, read exactly as the `cookie` package's `parse()`
 * reads it (first occurrence of the name wins; spaces and tabs trimmed around name and value;
 * pairs without "=" skipped; percent-decoded when it contains "%", left as is when that fails),
 * without building an object of every cookie in the header: this runs on every request that
 * carries cookies, before the signature check.
 */

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function decode(value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The value of cookie `name` in a Cookie header, or undefined. Never throws. */
export function readCookie(header: string, name: string): string | undefined {
  const len = header.length;
  let index = 0;
  while (index < len) {
    const eq = header.indexOf('=', index);
    if (eq === -1) return undefined;
    let end = header.indexOf(';', index);
    if (end === -1) end = len;
    if (eq > end) {
      // A pair without "=": skip it.
      index = end + 1;
      continue;
    }
    let keyStart = index;
    while (keyStart < eq && isSpace(header.charCodeAt(keyStart))) keyStart++;
    let keyEnd = eq;
    while (keyEnd > keyStart && isSpace(header.charCodeAt(keyEnd - 1))) keyEnd--;
    if (keyEnd - keyStart === name.length && header.startsWith(name, keyStart)) {
      let valueStart = eq + 1;
      while (valueStart < end && isSpace(header.charCodeAt(valueStart))) valueStart++;
      let valueEnd = end;
      while (valueEnd > valueStart && isSpace(header.charCodeAt(valueEnd - 1))) valueEnd--;
      return decode(header.slice(valueStart, valueEnd));
    }
    index = end + 1;
  }
  return undefined;
}
