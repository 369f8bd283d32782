/**
 * One-time warnings for settings that work but are unsafe or wasteful. Nothing here refuses to
 * start: an app switching from express-session must keep running (and keep its users signed in);
 * it is told, once per cause, what to change and what the change costs.
 */
import { isWeakSecret } from '../../core/keyring.ts';
import { WarnOnce, type Logger } from '../../core/logger.ts';
import type { ExpressSessionOptions } from './options.ts';
import type { Secret } from './signature.ts';
import type { StoreLike } from './store-call.ts';

export type Warn = (key: string, message: string) => void;

/** Without a logger, warnings go to console.warn once per process (many middlewares, one line). */
const consoleOnce = new WarnOnce(undefined);

export function warnerFor(logger: Logger | undefined): Warn {
  const once = logger === undefined ? consoleOnce : new WarnOnce(logger);
  return (key, message) => once.warn(key, message);
}

const P = 'express-session drop-in: ';

export interface WarningInput {
  opts: ExpressSessionOptions;
  name: string;
  secrets: Secret[] | undefined;
  store: StoreLike;
  production: boolean;
}

function isMemoryStore(store: StoreLike): boolean {
  // ours, or express-session's own
  return store.constructor?.name === 'MemoryStore' && typeof store.sessions === 'object';
}

export function constructionWarnings(warn: Warn, { opts, name, secrets, store, production }: WarningInput): void {
  if (secrets === undefined) {
    warn('es-no-secret', `${P}no secret option: cookies are signed with req.secret from cookie-parser (deprecated in express-session). Pass secret.`);
  } else {
    const first = secrets.find((s) => typeof s === 'string' && isWeakSecret(s));
    if (typeof first === 'string') {
      const why =
        first.length >= 32
          ? 'too few distinct characters to be random'
          : /^[a-z -]+$/i.test(first)
            ? `a word or a tutorial placeholder such as 'keyboard cat'`
            : `${first.length} characters, fewer than 32`;
      warn(
        'es-weak-secret',
        `${P}the session secret is weak (${why}): anyone who guesses it can forge session cookies. ` +
          'Use 32+ random characters (`npx holdfast keygen`). To rotate without signing anyone out, pass ' +
          'secret: [newSecret, oldSecret]: the first signs, all verify.',
      );
    }
  }
  if (opts.resave === undefined) {
    warn(
      'es-resave',
      `${P}resave is not set, so it defaults to true as in express-session: every request writes the session back, ` +
        'and two concurrent requests overwrite each other. Set resave: false (the store must implement touch(), as connect-redis and connect-pg-simple do).',
    );
  }
  if (opts.saveUninitialized !== false) {
    warn(
      'es-save-uninitialized',
      `${P}saveUninitialized is ${opts.saveUninitialized === undefined ? 'not set (express-session\'s default: true)' : 'true'}: every visitor, bots included, gets a stored session and a cookie. ` +
        'Set saveUninitialized: false unless you rely on req.sessionID for visitors who never wrote to the session.',
    );
  }
  if (production && isMemoryStore(store)) {
    warn(
      'es-memory-store',
      `${P}MemoryStore with NODE_ENV=production: sessions vanish on every restart and are not shared between processes. ` +
        'Pass a real store (connect-redis, connect-pg-simple, ...).',
    );
  }
  const cookie = opts.cookie ?? {};
  if (typeof cookie === 'object' && cookie !== null) {
    if (production && cookie.secure !== true && cookie.secure !== 'auto') {
      warn(
        'es-cookie-insecure',
        `${P}cookie.secure is not set with NODE_ENV=production: the session cookie also travels over plain http, where it can be stolen. ` +
          "Set cookie: { secure: true } (behind a TLS proxy also app.set('trust proxy', 1)), or secure: 'auto'.",
      );
    }
    if (cookie.httpOnly === false) {
      warn('es-cookie-httponly', `${P}cookie.httpOnly is false: page scripts, and any XSS, can read the session cookie. Remove httpOnly: false.`);
    }
  }
  if (name === 'connect.sid') {
    warn(
      'es-default-name',
      `${P}hint: the cookie name 'connect.sid' tells scanners the app runs Express with express-session. ` +
        "A neutral name (name: 'sid') hides that, but renaming signs everyone out once: do it with a release you announce.",
    );
  }
}

/** Runtime check for cookie options given as a function (checked on the first cookie sent). */
export function insecureCookieInProduction(warn: Warn): void {
  warn(
    'es-cookie-insecure',
    `${P}a session cookie without Secure was sent with NODE_ENV=production: it also travels over plain http, where it can be stolen. ` +
      "Return secure: true (or 'auto') from the cookie option.",
  );
}
