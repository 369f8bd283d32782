/**
 * The part of the `on-headers` package (which express-session uses) that matters when wrapping
 * `res.writeHead`: headers passed *to* writeHead are applied to the response first, so a listener
 * that appends Set-Cookie at that moment is not overwritten by them.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Apply `writeHead(status, [message], [headers])`'s headers and status to `res`; return the
 * arguments to pass on (without the headers). Unchanged when no headers were passed.
 */
export function takeWriteHeadHeaders(res: ServerResponse, args: unknown[]): unknown[] {
  const headerIndex = typeof args[1] === 'string' ? 2 : 1;
  const headers = args[headerIndex];
  if (headers === undefined || headers === null || typeof headers !== 'object') return args;

  res.statusCode = args[0] as number;
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as unknown[][]) res.setHeader(String(pair[0]), pair[1] as string);
    } else {
      if (headers.length % 2 !== 0) throw new TypeError('headers array is malformed');
      for (let i = 0; i < headers.length; i += 2) res.appendHeader(String(headers[i]), headers[i + 1] as string);
    }
  } else {
    const obj = headers as OutgoingHttpHeaders;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (value !== undefined) res.setHeader(key, value);
    }
  }
  return args.slice(0, headerIndex);
}
