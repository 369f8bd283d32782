/**
 * The object applications see as `req.session`: data as plain properties, the API (id, userId,
 * login(), ...) under reserved names. Assigning a reserved name throws a TypeError that says why;
 * hostile keys such as `__proto__` are ordinary data keys (the target has a null prototype).
 * One handler object per request; API methods are bound lazily, only when used.
 */
import { inspect } from 'node:util';
import type { SessionContext } from './session-context.ts';
import { RESERVED_NAMES, type Session } from './session-types.ts';

/**
 * Reads the SessionContext behind a session object (`session[SESSION_CONTEXT]`), for holdfast's
 * own layers (holdfast/csrf); not exported from any public entry.
 */
export const SESSION_CONTEXT: unique symbol = Symbol('holdfast.sessionContext');

/** The SessionContext behind `session`, or undefined when it is not a holdfast session. */
export function contextOf(session: unknown): SessionContext | undefined {
  if (typeof session !== 'object' || session === null) return undefined;
  const ctx = (session as Record<symbol, unknown>)[SESSION_CONTEXT];
  return typeof ctx === 'object' && ctx !== null ? (ctx as SessionContext) : undefined;
}

const GETTERS: Record<string, (ctx: SessionContext) => unknown> = {
  id: (ctx) => ctx.id,
  handle: (ctx) => ctx.handle,
  isNew: (ctx) => ctx.isNew,
  userId: (ctx) => ctx.meta.userId,
  authAt: (ctx) => ctx.meta.authAt,
  createdAt: (ctx) => ctx.meta.createdAt,
  expiresAt: (ctx) => ctx.expiresAt,
  then: () => undefined,
};

function reservedMessage(name: string): string {
  if (name === 'userId') return 'session.userId is managed by holdfast: call `await session.login(userId)` to sign a user in';
  if (name === 'id') return 'session.id is managed by holdfast: call `await session.regenerate()` for a new ID';
  return `session.${name} is a reserved name in holdfast (part of the session API); store your value under another key`;
}

class SessionProxyHandler implements ProxyHandler<Record<string, unknown>> {
  readonly ctx: SessionContext;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  get(target: Record<string, unknown>, key: string | symbol): unknown {
    if (typeof key === 'symbol') return key === inspect.custom ? Reflect.get(target, key) : key === SESSION_CONTEXT ? this.ctx : undefined;
    if (RESERVED_NAMES.has(key)) {
      const getter = GETTERS[key];
      return getter === undefined ? this.ctx.method(key) : getter(this.ctx);
    }
    return this.ctx.decode(key) ? target[key] : undefined;
  }

  set(_target: Record<string, unknown>, key: string | symbol, value: unknown): boolean {
    if (typeof key === 'symbol') throw new TypeError('session keys must be strings');
    if (RESERVED_NAMES.has(key)) throw new TypeError(reservedMessage(key));
    this.ctx.assign(key, value);
    return true;
  }

  deleteProperty(_target: Record<string, unknown>, key: string | symbol): boolean {
    if (typeof key === 'symbol') return true;
    if (RESERVED_NAMES.has(key)) throw new TypeError(reservedMessage(key));
    this.ctx.remove(key);
    return true;
  }

  has(_target: Record<string, unknown>, key: string | symbol): boolean {
    if (typeof key === 'symbol') return false;
    return RESERVED_NAMES.has(key) || this.ctx.has(key);
  }

  ownKeys(target: Record<string, unknown>): (string | symbol)[] {
    this.ctx.decodeAll();
    // Data keys only (own string keys of the target).
    return Object.keys(target);
  }

  getOwnPropertyDescriptor(target: Record<string, unknown>, key: string | symbol): PropertyDescriptor | undefined {
    if (typeof key === 'string' && !RESERVED_NAMES.has(key)) this.ctx.decode(key);
    return Reflect.getOwnPropertyDescriptor(target, key);
  }

  defineProperty(_target: Record<string, unknown>, key: string | symbol, descriptor: PropertyDescriptor): boolean {
    if (!('value' in descriptor)) throw new TypeError('session properties must be plain values (no getters or setters)');
    return this.set(_target, key, descriptor.value);
  }

  setPrototypeOf(): boolean {
    return false;
  }

  getPrototypeOf(): object | null {
    return null; // the target's prototype only carries the inspect hook (see TARGET_PROTO)
  }
}

/**
 * util.inspect (console.log) looks through a Proxy at its target, so the hook must be reachable
 * from the target; it lives on the targets' shared prototype (a null-prototype object with only
 * this symbol) rather than being defined on every request's target. util.inspect calls it with
 * the proxy as `this`.
 */
const TARGET_PROTO: object = Object.create(null, {
  [inspect.custom]: {
    value: function (this: Session, depth: number, options: object): string {
      return `Session(${this.isNew ? 'new' : this.handle}) ${inspect(this.toJSON(), { ...options, depth })}`;
    },
  },
});

/** A fresh target for the session's data: string keys of its own only, hostile ones included. */
export function newSessionTarget(): Record<string, unknown> {
  return Object.create(TARGET_PROTO) as Record<string, unknown>;
}

export function createSessionProxy(ctx: SessionContext, target: Record<string, unknown>): Session {
  return new Proxy(target, new SessionProxyHandler(ctx)) as unknown as Session;
}
