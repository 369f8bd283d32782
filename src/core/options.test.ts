import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './errors.ts';
import { assertStore, resolveOptions, type SessionOptions } from './options.ts';
import { createEngine } from './sessions.ts';
import { MemoryStore } from '../stores/memory/index.ts';

const SECRET = 'k3P9xq2Lw8vN4mZ7tR1yB6cF0hJ5sD2gA9eU4iO7';
const noStore = (): never => {
  throw new Error('the default store must not be built when a store is given');
};

function throwsConfig(fn: () => unknown, message: RegExp, label?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `${label ?? String(message)}: ConfigError, got ${String(error)}`);
    assert.match(error.message, message, label);
    return true;
  });
}

test('defaults', () => {
  const r = resolveOptions({ secrets: SECRET, production: false });
  assert.equal(r.idleMs, 30 * 60_000);
  assert.equal(r.absoluteMs, 12 * 3_600_000);
  assert.equal(r.anonymousMs, 15 * 60_000);
  assert.equal(r.touchAfterMs, 60_000);
  assert.equal(r.storeTimeoutMs, 2000);
  assert.equal(r.maxSessionsPerUser, Number.POSITIVE_INFINITY);
  assert.equal(r.production, false);
  assert.equal(r.trustConfigured, false);
  assert.equal(r.clock, Date.now);
  assert.equal(r.cookie.nameFor(true), '__Host-sid');
});

test('production defaults to NODE_ENV === "production"', () => {
  const before = process.env.NODE_ENV;
  try {
    process.env.NODE_ENV = 'production';
    assert.equal(resolveOptions({ secrets: SECRET }).production, true);
    throwsConfig(() => resolveOptions({ secrets: 'keyboard cat' }), /placeholder/);
    assert.equal(resolveOptions({ secrets: 'keyboard cat', production: false }).production, false);
    process.env.NODE_ENV = 'development';
    assert.equal(resolveOptions({ secrets: 'dev' }).production, false);
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
});

test('unknown options throw; "secret" suggests "secrets"', () => {
  throwsConfig(() => resolveOptions({ secrets: SECRET, secret: SECRET } as SessionOptions), /unknown option "secret"; holdfast calls it "secrets"/);
  throwsConfig(() => resolveOptions({ secret: SECRET } as unknown as SessionOptions), /"secrets"/);
  for (const key of ['resave', 'saveUninitialized', 'rolling', 'idletimeout', 'cookies', 'name']) {
    throwsConfig(() => resolveOptions({ secrets: SECRET, [key]: true } as SessionOptions), new RegExp(`unknown option "${key}"$`), key);
  }
});

test('extraKeys let adapter options through', () => {
  assert.doesNotThrow(() => resolveOptions({ secrets: SECRET, prefix: 'x' } as SessionOptions, ['prefix']));
  throwsConfig(() => resolveOptions({ secrets: SECRET, other: 1 } as SessionOptions, ['prefix']), /unknown option "other"/);
});

test('options must be an object', () => {
  for (const bad of [undefined, null, 'secret', 42]) {
    throwsConfig(() => resolveOptions(bad as unknown as SessionOptions), /needs an options object/);
  }
});

test('absoluteTimeout shorter than idleTimeout throws with both values', () => {
  throwsConfig(
    () => resolveOptions({ secrets: SECRET, idleTimeout: '2h', absoluteTimeout: '1h' }),
    /absoluteTimeout \(3600000 ms\) is shorter than idleTimeout \(7200000 ms\)/,
  );
  assert.doesNotThrow(() => resolveOptions({ secrets: SECRET, idleTimeout: '1h', absoluteTimeout: '1h' }));
});

test('durations are validated with the option name', () => {
  for (const name of ['idleTimeout', 'absoluteTimeout', 'anonymousTimeout', 'touchAfter', 'storeTimeout'] as const) {
    throwsConfig(() => resolveOptions({ secrets: SECRET, [name]: 'soon' }), new RegExp(`^${name} must be`), name);
    throwsConfig(() => resolveOptions({ secrets: SECRET, [name]: 0 }), new RegExp(`^${name} must be`), name);
  }
});

test('touchAfter is clamped to half the shortest idle timeout', () => {
  const cases: [Partial<SessionOptions>, number][] = [
    [{}, 60_000],
    [{ touchAfter: '10s' }, 10_000],
    [{ touchAfter: '1h' }, 7.5 * 60_000],
    [{ idleTimeout: '1m', touchAfter: '1m' }, 30_000],
    [{ anonymousTimeout: '20s', touchAfter: '1m' }, 10_000],
    [{ idleTimeout: '10s', anonymousTimeout: '1h', touchAfter: '1m' }, 5000],
    [{ idleTimeout: 3, absoluteTimeout: 3, anonymousTimeout: 3 }, 1],
  ];
  for (const [extra, expected] of cases) {
    assert.equal(resolveOptions({ secrets: SECRET, ...extra }).touchAfterMs, expected, JSON.stringify(extra));
  }
});

test('maxSessionsPerUser', () => {
  for (const good of [1, 2, 50, Number.POSITIVE_INFINITY]) {
    assert.equal(resolveOptions({ secrets: SECRET, maxSessionsPerUser: good }).maxSessionsPerUser, good);
  }
  // null, like undefined, means no limit
  assert.equal(resolveOptions({ secrets: SECRET, maxSessionsPerUser: null as never }).maxSessionsPerUser, Number.POSITIVE_INFINITY);
  for (const bad of [0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, '2', true]) {
    throwsConfig(() => resolveOptions({ secrets: SECRET, maxSessionsPerUser: bad as number }), /maxSessionsPerUser must be a whole number/, String(bad));
  }
});

test('clock, logger and production are type-checked', () => {
  throwsConfig(() => resolveOptions({ secrets: SECRET, clock: 5 as unknown as () => number }), /clock must be a function/);
  const fine = { info() {}, warn() {}, error() {} };
  assert.equal(resolveOptions({ secrets: SECRET, logger: fine }).logger, fine);
  for (const bad of [null, 'pino', console.warn, { warn() {} }, { info() {}, warn() {} }, { info: 1, warn() {}, error() {} }]) {
    throwsConfig(() => resolveOptions({ secrets: SECRET, logger: bad as never }), /logger must be pino-compatible/);
  }
  for (const bad of ['false', 'true', 0, 1, null]) {
    throwsConfig(() => resolveOptions({ secrets: SECRET, production: bad as never }), /production must be true or false/, String(bad));
  }
});

test('secrets and cookie options are validated here too', () => {
  throwsConfig(() => resolveOptions({} as SessionOptions), /"secrets" option is required/);
  throwsConfig(() => resolveOptions({ secrets: 'short', production: true }), /at least 32/);
  throwsConfig(() => resolveOptions({ secrets: SECRET, cookie: { name: '__Host-sid', domain: 'example.com' } }), /__Host-/);
  throwsConfig(() => resolveOptions({ secrets: SECRET, trustProxy: {} as never }), /trustProxy/);
});

test('a bad store shape throws and names the missing methods', () => {
  const all = ['get', 'set', 'patch', 'touch', 'destroy', 'listByUser', 'destroyByUser'];
  for (const bad of [null, undefined, 'redis', 42]) {
    throwsConfig(() => assertStore(bad), new RegExp(`missing ${all.join(', ')}\\)`));
  }
  throwsConfig(() => assertStore({ get() {}, set() {}, destroy() {} }), /missing patch, touch, listByUser, destroyByUser\)/);
  // An express-session store (get/set/destroy/touch with callbacks) points at the bridge.
  const expressSessionLike = { get() {}, set() {}, destroy() {}, touch() {}, on() {} };
  throwsConfig(() => assertStore(expressSessionLike), /holdfast\/stores\/express-session/);
  assert.doesNotThrow(() => assertStore(new MemoryStore({ sweepInterval: 0 })));
});

test('createEngine validates the store and never builds the default when one is given', async () => {
  throwsConfig(() => createEngine({ secrets: SECRET, store: { get() {} } as never }, noStore), /missing set, patch/);
  const store = new MemoryStore({ sweepInterval: 0 });
  const engine = createEngine({ secrets: SECRET, store }, noStore);
  assert.equal(engine.rawStore, store);
  await engine.close();
  let built = 0;
  const owned = new MemoryStore({ sweepInterval: 0 });
  const closing = Object.assign(owned, { close: async () => void built++ });
  const own = createEngine({ secrets: SECRET }, () => closing);
  await own.close();
  assert.equal(built, 1, 'an engine closes the store it built itself');
});
