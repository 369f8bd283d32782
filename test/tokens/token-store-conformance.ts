/**
 * The conformance suite every TokenStore runs, on its real server:
 *
 *   runTokenStoreConformance('SqliteTokenStore', { create: async () => new SqliteTokenStore({ path }) });
 *
 * Part one drives the store directly (the compare-and-swap contract); part two drives
 * createTokens over it (concurrent refreshes, the grace rule, reuse, the stolen-token story,
 * revocation, lifetimes on a frozen clock). Every test uses random handles and users, so a
 * shared server can run it alongside other files.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTokens, type Tokens, type TokensOptions } from '../../src/tokens/index.ts';
import type { TokenEventMap } from '../../src/tokens/events.ts';
import type { TokenFamily, TokenStore } from '../../src/tokens/store.ts';
import { TestClock } from '../support/clock.ts';

export interface TokenStoreFactory {
  create(): Promise<TokenStore>;
  teardown?(store: TokenStore): Promise<void>;
}

export const SECRET = 'tokens-conformance-secret-0123456789-abcdefghijklmnop';
const randomHandle = (): string => randomBytes(16).toString('base64url').slice(0, 22);
const randomUser = (): string => `user-${randomBytes(9).toString('base64url')}`;

function family(overrides: Partial<TokenFamily> = {}): TokenFamily {
  const now = Date.now();
  return {
    handle: randomHandle(),
    userId: randomUser(),
    gen: 0,
    createdAt: now,
    usedAt: now,
    expiresAt: now + 3_600_000,
    rotatedAt: null,
    revokedAt: null,
    claims: '{"role":"admin","name":"Zoë {x} \\"q\\""}',
    ...overrides,
  };
}

/** Collects events of one engine. */
export function recorder(tokens: Tokens): { [K in keyof TokenEventMap]: TokenEventMap[K][] } {
  const seen = { issued: [], refreshed: [], 'token-reuse': [], revoked: [], expired: [], rejected: [] } as {
    [K in keyof TokenEventMap]: TokenEventMap[K][];
  };
  for (const type of Object.keys(seen) as (keyof TokenEventMap)[]) tokens.on(type, (event) => (seen[type] as unknown[]).push(event));
  return seen;
}

export function runTokenStoreConformance(name: string, factory: TokenStoreFactory): void {
  describe(`${name} token conformance`, () => {
    let store: TokenStore;
    before(async () => {
      store = await factory.create();
    });
    after(async () => {
      if (store !== undefined) await factory.teardown?.(store);
    });

    const engine = (options: Partial<TokensOptions> = {}): Tokens =>
      createTokens({ secrets: SECRET, store, audience: 'https://api.example.test', issuer: 'https://id.example.test', ...options });

    describe('store contract', () => {
      it('create / get round-trips every field; unknown handles are null', async () => {
        const f = family({ rotatedAt: Date.now() - 5, gen: 7 });
        await store.create(f);
        assert.deepEqual(await store.get(f.handle), f);
        assert.equal(await store.get(randomHandle()), null);
        const plain = family();
        await store.create(plain);
        assert.deepEqual(await store.get(plain.handle), plain, 'null rotatedAt / revokedAt stay null');
      });

      it('rotate is a compare-and-swap on gen, refused once revoked', async () => {
        const f = family();
        await store.create(f);
        assert.equal(await store.rotate(f.handle, 1, f.createdAt + 1), false, 'wrong gen');
        assert.equal(await store.rotate(randomHandle(), 0, f.createdAt + 1), false, 'unknown family');
        assert.equal(await store.rotate(f.handle, 0, f.createdAt + 10), true);
        assert.equal(await store.rotate(f.handle, 0, f.createdAt + 11), false, 'the same gen twice');
        const got = await store.get(f.handle);
        assert.equal(got?.gen, 1);
        assert.equal(got?.rotatedAt, f.createdAt + 10);
        assert.equal(got?.usedAt, f.createdAt + 10);
        assert.equal(await store.revoke(f.handle, f.createdAt + 20), true);
        assert.equal(await store.revoke(f.handle, f.createdAt + 30), false, 'already revoked');
        assert.equal(await store.rotate(f.handle, 1, f.createdAt + 40), false, 'revoked');
        assert.equal((await store.get(f.handle))?.revokedAt, f.createdAt + 20);
      });

      it('of 50 concurrent rotations from one gen exactly one wins', async () => {
        const f = family();
        await store.create(f);
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.rotate(f.handle, 0, f.createdAt + i)));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await store.get(f.handle))?.gen, 1);
      });

      it('listByUser / revokeUser cover the user\'s live families only', async () => {
        const user = randomUser();
        const other = family();
        const mine = [family({ userId: user }), family({ userId: user }), family({ userId: user })];
        for (const f of [...mine, other]) await store.create(f);
        await store.revoke((mine[2] as TokenFamily).handle, Date.now());
        const listed = (await store.listByUser(user)).map((f) => f.handle).sort();
        assert.deepEqual(listed, mine.slice(0, 2).map((f) => f.handle).sort());
        assert.equal(await store.revokeUser(user, Date.now()), 2);
        assert.deepEqual(await store.listByUser(user), []);
        assert.equal((await store.get(other.handle))?.revokedAt, null, 'another user untouched');
        assert.equal(await store.revokeUser(randomUser(), Date.now()), 0);
      });
    });

    describe('engine over this store', () => {
      it('50 concurrent refreshes with one token: all get the one same successor, no family lost', async () => {
        const tokens = engine();
        const user = randomUser();
        const first = await tokens.issue(user);
        const results = await Promise.all(Array.from({ length: 50 }, () => tokens.refresh(first.refreshToken)));
        assert.ok(results.every((r) => r !== null), `refused: ${results.filter((r) => r === null).length}`);
        const successors = new Set(results.map((r) => r!.refreshToken));
        assert.equal(successors.size, 1, 'one successor');
        const [successor] = successors;
        assert.notEqual(successor, first.refreshToken);
        const families = await tokens.listFamilies(user);
        assert.equal(families.length, 1, 'the family is alive');
        assert.equal(families[0]?.generation, 1, 'rotated exactly once');
        for (const r of results) assert.ok(await tokens.verifyAccess(r!.accessToken), 'every access token works');
        const next = await tokens.refresh(successor);
        assert.ok(next !== null, 'the successor refreshes');
        assert.equal((await tokens.listFamilies(user))[0]?.generation, 2);
      });

      it('50 families refreshed at once, 3 racing requests each: none lost, each rotated once', async () => {
        const tokens = engine();
        const user = randomUser();
        const issued = await Promise.all(Array.from({ length: 50 }, () => tokens.issue(user)));
        const results = await Promise.all(issued.flatMap((t) => [0, 1, 2].map(() => tokens.refresh(t.refreshToken))));
        assert.equal(results.filter((r) => r === null).length, 0);
        const families = await tokens.listFamilies(user);
        assert.equal(families.length, 50);
        assert.ok(families.every((f) => f.generation === 1));
      });

      it('grace: the previous token within reuseGrace gets the same successor; after it, the family dies', async () => {
        const clock = new TestClock();
        const tokens = engine({ clock: clock.now, reuseGrace: '10s' });
        const seen = recorder(tokens);
        const user = randomUser();
        const a = await tokens.issue(user);
        const b = await tokens.refresh(a.refreshToken);
        clock.advance('9s');
        const b2 = await tokens.refresh(a.refreshToken);
        assert.equal(b2?.refreshToken, b?.refreshToken, 'same successor within grace');
        clock.advance('2s'); // 11 s after the rotation
        assert.equal(await tokens.refresh(a.refreshToken), null, 'replay after grace refused');
        assert.equal(seen['token-reuse'].length, 1);
        assert.equal(seen['token-reuse'][0]?.reason, 'grace-expired');
        assert.equal(seen['token-reuse'][0]?.handle, a.familyHandle);
        assert.equal(seen['token-reuse'][0]?.userId, user);
        assert.equal(await tokens.refresh(b!.refreshToken), null, 'the family is dead: its current token too');
        assert.equal(await tokens.verifyAccess(b!.accessToken), null, 'and its access tokens');
        assert.deepEqual(await tokens.listFamilies(user), []);
      });

      it('a token two generations back is reuse even inside the grace window', async () => {
        const tokens = engine();
        const seen = recorder(tokens);
        const a = await tokens.issue(randomUser());
        const b = await tokens.refresh(a.refreshToken);
        const c = await tokens.refresh(b!.refreshToken);
        assert.ok(c);
        assert.equal(await tokens.refresh(a.refreshToken), null);
        assert.equal(seen['token-reuse'][0]?.reason, 'replay');
        assert.equal(await tokens.refresh(c.refreshToken), null);
      });

      it('stolen token: the attacker refreshes first, the victim\'s later use kills the family, the attacker is then refused', async () => {
        const clock = new TestClock();
        const tokens = engine({ clock: clock.now });
        const seen = recorder(tokens);
        const victim = randomUser();
        const login = await tokens.issue(victim);
        const otherDevice = await tokens.issue(victim);
        const stolen = login.refreshToken;
        clock.advance('1m');
        const attacker = await tokens.refresh(stolen, { ip: '198.51.100.66' });
        assert.ok(attacker !== null, 'the thief gets in first');
        assert.ok(await tokens.verifyAccess(attacker.accessToken));
        clock.advance('3m');
        assert.equal(await tokens.refresh(stolen, { ip: '203.0.113.5' }), null, 'the victim\'s refresh is refused');
        assert.equal(seen['token-reuse'].length, 1);
        assert.equal(seen['token-reuse'][0]?.ip, '203.0.113.5');
        assert.equal(seen.revoked.at(-1)?.reason, 'reuse');
        assert.equal(await tokens.refresh(attacker.refreshToken), null, 'the thief\'s refresh token is dead');
        assert.equal(await tokens.verifyAccess(attacker.accessToken), null, 'the thief\'s access token is dead');
        assert.ok(await tokens.verifyAccess(otherDevice.accessToken), 'the victim\'s other device is untouched');
        assert.ok(await tokens.refresh(otherDevice.refreshToken));
        assert.deepEqual((await tokens.listFamilies(victim)).map((f) => f.handle), [otherDevice.familyHandle]);
      });

      it('revokeFamily and revokeUser make refresh and access tokens unusable at once', async () => {
        const tokens = engine();
        const user = randomUser();
        const one = await tokens.issue(user);
        const two = await tokens.issue(user);
        const three = await tokens.issue(user);
        assert.equal(await tokens.revokeFamily(one.familyHandle), true);
        assert.equal(await tokens.revokeFamily(one.familyHandle), false);
        assert.equal(await tokens.verifyAccess(one.accessToken), null);
        assert.ok(await tokens.verifyAccess(one.accessToken, { checkFamily: false }), 'stateless verification cannot see a revoke (documented)');
        assert.equal(await tokens.refresh(one.refreshToken), null);
        assert.ok(await tokens.verifyAccess(two.accessToken));
        assert.equal(await tokens.revokeUser(user), 2);
        for (const t of [two, three]) {
          assert.equal(await tokens.verifyAccess(t.accessToken), null);
          assert.equal(await tokens.refresh(t.refreshToken), null);
        }
      });

      it('idle and absolute lifetimes on a frozen clock', async () => {
        const clock = new TestClock();
        const tokens = engine({ clock: clock.now, accessTtl: '5m', refreshIdle: '1h', refreshAbsolute: '3h' });
        const seen = recorder(tokens);
        const idle = await tokens.issue(randomUser());
        clock.advance('59m');
        const kept = await tokens.refresh(idle.refreshToken);
        assert.ok(kept, 'refreshing inside the idle window keeps it alive');
        clock.advance('61m');
        assert.equal(await tokens.refresh(kept.refreshToken), null, 'idle');
        assert.equal(seen.expired.at(-1)?.reason, 'idle');

        const busy = await tokens.issue(randomUser());
        let current = busy.refreshToken;
        for (let i = 0; i < 5; i++) {
          clock.advance('35m');
          const next = await tokens.refresh(current);
          assert.ok(next, `refresh ${i}`);
          current = next.refreshToken;
        }
        clock.advance('6m'); // 3h01 after login
        assert.equal(await tokens.refresh(current), null, 'absolute');
        assert.equal(seen.expired.at(-1)?.reason, 'absolute');

        const access = await tokens.issue(randomUser());
        clock.advance('4m');
        assert.ok(await tokens.verifyAccess(access.accessToken));
        clock.advance('2m');
        assert.equal(await tokens.verifyAccess(access.accessToken), null, 'access token expired');
        assert.equal(seen.rejected.at(-1)?.reason, 'expired');
      });
    });
  });
}
