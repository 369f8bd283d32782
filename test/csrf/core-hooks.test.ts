/**
 * The engine changes holdfast/csrf rests on: Keyring.derive (separate keys per label, rotation),
 * session[SESSION_CONTEXT], SessionContext.engine and the rotation hook (called exactly when a
 * stored session moves to a new ID).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createKeyring } from '../../src/core/keyring.ts';
import { SESSION_CONTEXT } from '../../src/core/session-proxy.ts';
import { harness, pairOf } from '../support/core-engine.ts';

const A = 'a'.repeat(16) + 'bcdefghijklmnopqrstuvwxyz0123456';
const B = 'Z'.repeat(16) + 'YXWVUTSRQPONMLKJIHGFEDCBA9876543';

describe('Keyring.derive', () => {
  it('derives a key per label and secret: never the cookie-signing MAC', () => {
    const ring = createKeyring([A], false);
    const csrf = ring.derive('holdfast csrf v1');
    assert.notEqual(csrf.sign('x'), createHmac('sha256', A).update('x').digest('base64url'));
    assert.notEqual(csrf.sign('x'), ring.derive('another').sign('x'));
    assert.equal(csrf.sign('x'), createKeyring([A], false).derive('holdfast csrf v1').sign('x'), 'deterministic');
    assert.match(csrf.sign('x'), /^[A-Za-z0-9_-]{43}$/);
  });

  it('first secret signs, every secret verifies; anything else fails', () => {
    const old = createKeyring([A], false).derive('l');
    const rotated = createKeyring([B, A], false).derive('l');
    assert.equal(rotated.verify('x', old.sign('x')), true);
    assert.equal(rotated.verify('x', rotated.sign('x')), true);
    assert.equal(old.verify('x', rotated.sign('x')), false);
    assert.equal(rotated.verify('y', old.sign('x')), false);
    for (const bad of ['', 'short', `${old.sign('x')}A`, old.sign('x').replace(/./, 'Ł')]) assert.equal(rotated.verify('x', bad), false, bad);
  });
});

describe('SessionContext hooks for csrf', () => {
  it('session[SESSION_CONTEXT] is the context; ctx.engine the engine; the symbol is not a data key', async () => {
    const h = harness();
    const ctx = await h.load();
    const s = ctx.session as unknown as Record<symbol, unknown>;
    assert.equal(s[SESSION_CONTEXT], ctx);
    assert.equal(ctx.engine, h.engine);
    assert.deepEqual(Object.getOwnPropertySymbols(ctx.session), []);
    assert.deepEqual(ctx.session.toJSON(), {});
  });

  it('onRotate runs on login / regenerate of a stored session, with the old store key; not otherwise', async () => {
    const h = harness();
    const calls: Array<[string, number]> = [];
    const hook = (_c: unknown, key: string, now: number): void => void calls.push([key, now]);

    const fresh = await h.load();
    fresh.onRotate = hook;
    await fresh.session.login('u1');
    assert.deepEqual(calls, [], 'a fresh session has no previous binding');
    const cookie = pairOf(await h.commit(fresh));

    const loaded = await h.load(cookie);
    loaded.onRotate = hook;
    const oldKey = loaded.key;
    h.advance(5);
    await loaded.session.regenerate();
    assert.deepEqual(calls, [[oldKey, h.now()]]);
    assert.notEqual(loaded.key, oldKey);
    const next = pairOf(await h.commit(loaded));

    const again = await h.load(next);
    again.onRotate = hook;
    await again.session.logout();
    assert.equal(calls.length, 1, 'logout is not a rotation');

    const noHook = await h.load(pairOf(await h.commit(await (async () => {
      const c = await h.load();
      (c.session as unknown as Record<string, unknown>).x = 1;
      return c;
    })())));
    await noHook.session.login('u2');
    assert.equal(calls.length, 1, 'no hook, nothing called');
  });

  it('data the hook assigns is stored with the new record (login keepData false too)', async () => {
    const h = harness();
    const first = await h.load();
    (first.session as unknown as Record<string, unknown>).a = 1;
    const cookie = pairOf(await h.commit(first));
    const ctx = await h.load(cookie);
    ctx.onRotate = (c, key) => c.assign('prev', key);
    const oldKey = ctx.key;
    await ctx.session.login('u', { keepData: false });
    const next = pairOf(await h.commit(ctx));
    assert.deepEqual((await h.load(next)).session.toJSON(), { prev: oldKey });
  });
});
