/**
 * The Set-Cookie a response needs (express-session's onHeaders listener), decided once, at
 * writeHead or at the commit, whichever comes first:
 * - the signed session cookie when shouldSetCookie says so (the session is touched first);
 * - a Secure cookie withheld on an insecure request, reported once with the fix;
 * - after destroy(), regenerate() or unset 'destroy' with nothing replacing the session, a header
 *   that deletes the browser's cookie.
 */
import { serialize } from 'cookie';
import type { RequestSession } from './request-session.ts';
import { shouldSetCookie } from './save-decisions.ts';
import { insecureHint } from './secure.ts';
import { isSession } from './session.ts';
import { insecureCookieInProduction } from './warnings.ts';

/** The Set-Cookie header value for this response, or undefined for none. */
export function cookieHeader(host: RequestSession): string | undefined {
  const req = host.req;
  const cfg = host.cfg;
  const sess = host.peek();
  if (!isSession(sess)) {
    if (sess != null) {
      cfg.warn('es-not-a-session', 'express-session drop-in: req.session was replaced by an object that is not a session; it was not saved.');
    } else if (cfg.unsetDestroy && typeof req.sessionID === 'string' && req.sessionID === host.cookieId) {
      host.markGone(host.known);
    }
    return clearHeader(host);
  }
  if (!shouldSetCookie(host, sess)) return req.sessionID !== host.cookieId ? clearHeader(host) : undefined;
  if (sess.cookie.secure && !host.isSecure()) {
    const hint = insecureHint(req, cfg.proxy);
    cfg.warn(hint.key, hint.message);
    return undefined;
  }
  host.touchOnce(sess);
  const data = sess.cookie.data;
  if (cfg.production && !data.secure) insecureCookieInProduction(cfg.warn);
  return serialize(cfg.name, host.signer.sign(req.sessionID as string), data as Parameters<typeof serialize>[2]);
}

/** Set-Cookie deleting the browser's cookie, when its session was destroyed and nothing replaces it. */
function clearHeader(host: RequestSession): string | undefined {
  const data = host.gone;
  if (data === undefined || (data.secure && !host.isSecure())) return undefined;
  const opts = { ...data, expires: new Date(0) } as Parameters<typeof serialize>[2];
  return serialize(host.cfg.name, '', opts);
}
