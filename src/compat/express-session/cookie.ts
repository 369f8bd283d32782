/**
 * express-session's `Cookie` (session/cookie.js of 1.19), ported line for line: the object behind
 * `req.session.cookie` and the `cookie` field of every stored record. Same own properties (path,
 * _expires, originalMaxAge, httpOnly, plus every option passed in), same accessors (expires,
 * maxAge, data) and the same `toJSON`, so records written by either library read in the other.
 */
import { serialize } from 'cookie';

export type CookieSameSite = boolean | 'lax' | 'strict' | 'none' | 'auto';
export type CookiePriority = 'low' | 'medium' | 'high';

/** The `cookie` option of the middleware (also what `new Cookie(options)` accepts). */
export interface CookieOptions {
  maxAge?: number | null | undefined;
  expires?: Date | null | undefined;
  httpOnly?: boolean | undefined;
  /** `'auto'`: Secure exactly when the request is secure (https, or https at a trusted proxy). */
  secure?: boolean | 'auto' | undefined;
  /** `'auto'`: 'none' on secure requests, 'lax' otherwise. */
  sameSite?: CookieSameSite | undefined;
  domain?: string | undefined;
  path?: string | undefined;
  partitioned?: boolean | undefined;
  priority?: CookiePriority | undefined;
  /** Only in stored records; kept as given. */
  originalMaxAge?: number | null | undefined;
  signed?: boolean | undefined;
}

/** What `cookie.data` / `cookie.toJSON()` return: the attributes, as stored in the record. */
export interface CookieData {
  originalMaxAge: number | null | undefined;
  partitioned: boolean | undefined;
  priority: CookiePriority | undefined;
  expires: Date | null | undefined;
  secure: boolean | 'auto' | undefined;
  httpOnly: boolean | undefined;
  domain: string | undefined;
  path: string | undefined;
  sameSite: CookieSameSite | undefined;
}

export class Cookie {
  // `declare`: no class-field definitions, which would shadow the accessors below.
  declare path: string | undefined;
  declare httpOnly: boolean | undefined;
  declare secure: boolean | 'auto' | undefined;
  declare domain: string | undefined;
  declare sameSite: CookieSameSite | undefined;
  declare partitioned: boolean | undefined;
  declare priority: CookiePriority | undefined;
  declare signed: boolean | undefined;
  declare originalMaxAge: number | null | undefined;
  declare _expires: Date | null | undefined;

  constructor(options?: CookieOptions | null) {
    this.path = '/';
    this.maxAge = null;
    this.httpOnly = true;

    if (options) {
      if (typeof options !== 'object') {
        throw new TypeError('argument options must be a object');
      }
      const target = this as unknown as Record<string, unknown>;
      const source = options as Record<string, unknown>;
      // for...in on purpose: express-session copies inherited enumerable keys too.
      for (const key in source) {
        if (key !== 'data') target[key] = source[key];
      }
    }

    if (this.originalMaxAge === undefined || this.originalMaxAge === null) {
      this.originalMaxAge = this.maxAge;
    }
  }

  set expires(date: Date | null | undefined) {
    this._expires = date;
    this.originalMaxAge = this.maxAge;
  }

  get expires(): Date | null | undefined {
    return this._expires;
  }

  /** Set the expiry `ms` from now (a Date is accepted, as express-session does, but deprecated). */
  set maxAge(ms: number | Date | null | undefined) {
    if (ms && typeof ms !== 'number' && !(ms instanceof Date)) {
      throw new TypeError('maxAge must be a number or Date');
    }
    this.expires = typeof ms === 'number' ? new Date(Date.now() + ms) : ms;
  }

  /** Milliseconds left until `expires` (null for a browser-session cookie). */
  get maxAge(): number | null | undefined {
    const expires = this.expires as unknown;
    return expires instanceof Date ? expires.valueOf() - Date.now() : (expires as null | undefined);
  }

  get data(): CookieData {
    return {
      originalMaxAge: this.originalMaxAge,
      partitioned: this.partitioned,
      priority: this.priority,
      expires: this._expires,
      secure: this.secure,
      httpOnly: this.httpOnly,
      domain: this.domain,
      path: this.path,
      sameSite: this.sameSite,
    };
  }

  /** A Set-Cookie value for `name=val` with this cookie's attributes. */
  serialize(name: string, val: string): string {
    return serialize(name, val, this.data as Parameters<typeof serialize>[2]);
  }

  toJSON(): CookieData {
    return this.data;
  }
}
