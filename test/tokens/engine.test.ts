/**
 * createTokens on MemoryTokenStore: key ring (rotation, kid revoke, JWKS), algorithm confusion,
 * hostile inputs, claims, secrets rotation, stateless verification and configuration errors.
 * Store behaviour under concurrency is in the conformance suite (every store).
 */
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ConfigError } from '../../src/core/errors.ts';
import { createTokens, MemoryTokenStore, NoSigningKeyError, TokenClaimsError, type TokensOptions } from '../../src/tokens/index.ts';
import type { TokenStore } from '../../src/tokens/store.ts';
import { recorder, SECRET } from './token-store-conformance.ts';

const AUD = 'https://api.example.test';
const base = (overrides: Partial<TokensOptions> = {}): TokensOptions => ({ secrets: SECRET, store: new MemoryTokenStore(), audience: AUD, ...overrides });
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const ed = (): { privateKey: KeyObject; publicKey: KeyObject } => generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('access tokens', () => {
  it('carry typ at+jwt, kid, aud, iss, sub, sid (the handle, never a secret), iat/exp and the claims', async () => {
    const tokens = createTokens(base({ issuer: 'https://id.example.test', accessTtl: '2m' }));
    const issued = await tokens.issue('alice', { claims: { role: 'admin', n: [1, 2] } });
    const [h, p] = issued.accessToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part as string, 'base64url').toString()));
    assert.equal(h.typ, 'at+jwt');
    assert.equal(h.alg, 'HS256');
    assert.match(h.kid, /^hs-/);
    assert.equal(p.sub, 'alice');
    assert.equal(p.aud, AUD);
    assert.equal(p.iss, 'https://id.example.test');
    assert.equal(p.sid, issued.familyHandle);
    assert.equal(p.exp - p.iat, 120);
    assert.equal(issued.expiresIn, 120);
    assert.ok(!issued.refreshToken.includes(p.sid), 'the handle is not part of the refresh token');
    const verified = await tokens.verifyAccess(issued.accessToken);
    assert.deepEqual({ ...verified?.claims }, { role: 'admin', n: [1, 2] });
    const refreshed = await tokens.refresh(issued.refreshToken);
    assert.deepEqual({ ...(await tokens.verifyAccess(refreshed!.accessToken))?.claims }, { role: 'admin', n: [1, 2] }, 'claims survive refresh');
  });

  it('refuses "none", HS/RS swap, a foreign key under a known kid, wrong typ / aud / iss', async () => {
    const tokens = createTokens(base({ issuer: 'https://id', keys: { current: { kid: 'rs1', alg: 'RS256', privateKey: rsa.privateKey } }, algorithms: ['RS256'] }));
    const seen = recorder(tokens);
    const good = await tokens.issue('bob');
    assert.ok(await tokens.verifyAccess(good.accessToken));
    const [, payload] = good.accessToken.split('.');
    const now = Math.floor(Date.now() / 1000);
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' });
    const hsWithPublicKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'rs1', typ: 'at+jwt' }).sign(Buffer.from(pem));
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cases: [string, string][] = [
      ['alg none', `${b64({ alg: 'none', kid: 'rs1', typ: 'at+jwt' })}.${payload}.`],
      ['alg none with a signature part', `${b64({ alg: 'none', kid: 'rs1', typ: 'at+jwt' })}.${payload}.AAAA`],
      ['HS256 with the RSA public key as secret', hsWithPublicKey],
      ['foreign RSA key under kid rs1', await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rs1', typ: 'at+jwt' }).sign(foreign)],
      ['typ JWT', await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rs1', typ: 'JWT' }).sign(rsa.privateKey)],
      ['no typ', await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rs1' }).sign(rsa.privateKey)],
      ['other audience', await new SignJWT({ ...claims, aud: 'https://other' }).setProtectedHeader({ alg: 'RS256', kid: 'rs1', typ: 'at+jwt' }).sign(rsa.privateKey)],
      ['other issuer', await new SignJWT({ ...claims, iss: 'https://evil' }).setProtectedHeader({ alg: 'RS256', kid: 'rs1', typ: 'at+jwt' }).sign(rsa.privateKey)],
      ['no sid', await new SignJWT({ ...claims, sid: undefined }).setProtectedHeader({ alg: 'RS256', kid: 'rs1', typ: 'at+jwt' }).sign(rsa.privateKey)],
      ['unknown kid', await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rs2', typ: 'at+jwt' }).sign(rsa.privateKey)],
      ['expired', await new SignJWT({ ...claims, iat: now - 600, exp: now - 300 }).setProtectedHeader({ alg: 'RS256', kid: 'rs1', typ: 'at+jwt' }).sign(rsa.privateKey)],
      ['PS256 header on an RS256 kid', await new SignJWT(claims).setProtectedHeader({ alg: 'PS256', kid: 'rs1', typ: 'at+jwt' }).sign(rsa.privateKey)],
    ];
    for (const [title, token] of cases) assert.equal(await tokens.verifyAccess(token), null, title);
    assert.equal(seen.rejected.length, cases.length);
    assert.deepEqual(
      seen.rejected.map((e) => e.reason),
      ['malformed', 'bad-signature', 'bad-signature', 'bad-signature', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'unknown-kid', 'expired', 'bad-signature'],
    );
  });

  it('HS tokens from another secret, or tampered payloads, are refused', async () => {
    const tokens = createTokens(base());
    const other = createTokens(base({ secrets: `${SECRET}-other` }));
    const theirs = await other.issue('eve');
    assert.equal(await tokens.verifyAccess(theirs.accessToken), null);
    const mine = await tokens.issue('alice');
    const [h, p, s] = mine.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString());
    assert.equal(await tokens.verifyAccess(`${h}.${b64({ ...claims, sub: 'admin' })}.${s}`), null);
    // A hand-made HS256 MAC with the raw configured secret (holdfast derives its signing key): refused.
    const input = `${h}.${p}`;
    assert.equal(await tokens.verifyAccess(`${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`), null);
  });
});

describe('key ring', () => {
  it('signs and verifies with every supported algorithm (PEM, JWK and KeyObject inputs)', async () => {
    const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cases = [
      { kid: 'hs384', alg: 'HS384' as const, secret: 'h'.repeat(48) },
      { kid: 'hs512', alg: 'HS512' as const, secret: new Uint8Array(64).fill(7) },
      { kid: 'ed', alg: 'EdDSA' as const, privateKey: ed().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
      { kid: 'es256', alg: 'ES256' as const, privateKey: ec256.privateKey.export({ format: 'jwk' }), publicKey: ec256.publicKey.export({ format: 'jwk' }) },
      { kid: 'es384', alg: 'ES384' as const, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey },
      { kid: 'rs256', alg: 'RS256' as const, privateKey: rsa.privateKey },
      { kid: 'ps256', alg: 'PS256' as const, privateKey: rsa.privateKey },
    ];
    for (const key of cases) {
      const tokens = createTokens(base({ keys: { current: key }, algorithms: [key.alg] }));
      const issued = await tokens.issue('alice');
      assert.equal(JSON.parse(Buffer.from(issued.accessToken.split('.')[0] as string, 'base64url').toString()).alg, key.alg);
      assert.equal((await tokens.verifyAccess(issued.accessToken))?.userId, 'alice', key.kid);
    }
  });

  it('next is verified before it signs; retiring still verifies; a revoked kid is refused at once', async () => {
    const store = new MemoryTokenStore();
    const k1 = { kid: 'k1', alg: 'EdDSA' as const, ...ed() };
    const k2 = { kid: 'k2', alg: 'EdDSA' as const, ...ed() };
    const before = createTokens(base({ store, keys: { current: k1, next: { kid: 'k2', alg: 'EdDSA', publicKey: k2.publicKey } } }));
    const rotated = createTokens(base({ store, keys: { current: k2, retiring: { kid: 'k1', alg: 'EdDSA', publicKey: k1.publicKey } } }));
    const old = await before.issue('alice');
    const fresh = await rotated.issue('alice');
    assert.ok(await before.verifyAccess(fresh.accessToken), 'next (k2) verifies on instances not yet rotated');
    assert.ok(await rotated.verifyAccess(old.accessToken), 'retiring (k1) verifies after rotation');
    assert.deepEqual(before.jwks().keys.map((k) => k.kid).sort(), ['k1', 'k2']);
    assert.ok(before.jwks().keys.every((k) => k.d === undefined && k.alg === 'EdDSA' && k.use === 'sig'), 'public parts only');

    const seen = recorder(rotated);
    assert.equal(rotated.revokeKid('k1'), true);
    assert.equal(rotated.revokeKid('nope'), false);
    assert.equal(await rotated.verifyAccess(old.accessToken), null);
    assert.equal(seen.rejected.at(-1)?.reason, 'revoked-kid');
    assert.deepEqual(rotated.jwks().keys.map((k) => k.kid), ['k2']);
    assert.ok(await rotated.verifyAccess(fresh.accessToken));
  });

  it('revoking the current kid signs with next; with none left, issue throws NoSigningKeyError and writes nothing', async () => {
    const store = new MemoryTokenStore();
    const tokens = createTokens(base({ store, keys: { current: { kid: 'c', alg: 'ES256', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }, next: { kid: 'n', alg: 'EdDSA', privateKey: ed().privateKey } } }));
    tokens.revokeKid('c');
    const issued = await tokens.issue('alice');
    assert.equal(JSON.parse(Buffer.from(issued.accessToken.split('.')[0] as string, 'base64url').toString()).kid, 'n');
    tokens.revokeKid('n');
    await assert.rejects(tokens.issue('bob'), NoSigningKeyError);
    await assert.rejects(tokens.refresh(issued.refreshToken), NoSigningKeyError);
    assert.equal(store.size, 1);
    assert.equal((await store.get(issued.familyHandle))?.gen, 0, 'the refused refresh did not move the family');
  });

  it('refresh tokens still work after a secret rotation (new secret first, old kept)', async () => {
    const store = new MemoryTokenStore();
    const old = createTokens(base({ store }));
    const issued = await old.issue('alice');
    const rotated = createTokens(base({ store, secrets: [`${SECRET}-new`, SECRET] }));
    assert.ok(await rotated.verifyAccess(issued.accessToken), 'old secret verifies access tokens');
    const next = await rotated.refresh(issued.refreshToken);
    assert.ok(next, 'old secret verifies refresh tokens');
    assert.equal(await old.refresh(next.refreshToken), null, 'an instance without the new secret cannot read the new token');
  });
});

describe('racing instances', () => {
  it('a racer whose clock reads earlier than the winner\'s rotation still gets the grace successor', async () => {
    const store = new MemoryTokenStore();
    let t = Date.now();
    const ahead = createTokens(base({ store, clock: () => t + 40 })); // another instance, clock 40 ms ahead
    const behind = createTokens(base({ store, clock: () => t }));
    const seen = recorder(behind);
    const issued = await behind.issue('alice');
    const winner = await ahead.refresh(issued.refreshToken);
    const loser = await behind.refresh(issued.refreshToken);
    assert.equal(loser?.refreshToken, winner?.refreshToken);
    assert.equal(seen['token-reuse'].length, 0);
    t += 11_000;
    assert.equal(await behind.refresh(issued.refreshToken), null, 'and the window still closes');
  });
});

describe('hostile input', () => {
  it('garbage, huge and wrongly typed tokens: null and a vague event, never a throw or an echo', async () => {
    const tokens = createTokens(base());
    const seen = recorder(tokens);
    const real = await tokens.issue('alice');
    const [fid, , mac] = real.refreshToken.split('.');
    const hostile: unknown[] = [
      undefined, null, 0, 42, NaN, true, {}, [], [real.refreshToken], { toString: () => real.refreshToken }, Symbol('x'), () => 1,
      '', ' ', '.', '..', 'a.b.c', 'a'.repeat(1_000_000), `${real.refreshToken} `, ` ${real.refreshToken}`, `${real.refreshToken}\n`,
      `${fid}.1.${mac}`, `${fid}.00.${mac}`, `${fid}.-1.${mac}`, `${fid}.999999999999999999.${mac}`, `${fid}.0.${mac?.slice(0, -1)}${mac?.endsWith('A') ? 'B' : 'A'}`,
      `${fid}.0.${'A'.repeat(43)}`, `${fid}.0.${mac}.x`, `${fid?.replace(/.$/, 'é')}.0.${mac}`, '\u0000'.repeat(100),
      `${b64({ alg: 'HS256' })}.${b64({})}.x`, `${b64([1])}.${b64({})}.abc`, `${b64({ alg: 'HS256', kid: 7 })}.${b64({})}.abc`,
      `${Buffer.from('{not json').toString('base64url')}.e30.abc`, `e30.${'e'.repeat(9000)}.abc`, real.accessToken.replace(/.$/, ''),
    ];
    for (const [i, value] of hostile.entries()) {
      assert.equal(await tokens.refresh(value), null, `refresh #${i}`);
      assert.equal(await tokens.verifyAccess(value), null, `verifyAccess #${i}`);
    }
    assert.equal(seen.rejected.length, hostile.length * 2);
    const text = JSON.stringify(seen.rejected);
    assert.ok(!text.includes(fid as string) && !text.includes(mac as string), 'events never carry token text');
    assert.deepEqual(new Set(Object.keys(seen.rejected[0]!)), new Set(['type', 'time', 'ip', 'userId', 'handle', 'reason', 'token']));
    assert.equal(seen['token-reuse'].length, 0, 'forgeries never count as reuse');
    assert.ok(await tokens.refresh(real.refreshToken), 'the real family survived every forgery');
  });

  it('a forged refresh token naming a real family does not revoke it', async () => {
    const tokens = createTokens(base());
    const other = createTokens(base({ secrets: `${SECRET}-attacker` }));
    const real = await tokens.issue('alice');
    const fid = real.refreshToken.split('.')[0] as string;
    // Same family ID, a generation the attacker likes, MAC'd with the wrong key.
    const forged = `${fid}.0.${createHmac('sha256', 'x').update(`${fid}.0`).digest('base64url')}`;
    assert.equal(await tokens.refresh(forged), null);
    assert.equal(await other.refresh(real.refreshToken), null);
    assert.ok(await tokens.refresh(real.refreshToken));
  });

  it('bad arguments to issue are clear errors; revoke/list with junk are no-ops', async () => {
    const tokens = createTokens(base());
    for (const userId of ['', 5, null, 'x'.repeat(300)]) await assert.rejects(tokens.issue(userId as string), TypeError);
    const claimCases: unknown[] = [{ sub: 'root' }, { sid: 'x' }, { exp: 1 }, [], 'x', { big: 'x'.repeat(5000) }, { n: 10n }];
    for (const claims of claimCases) await assert.rejects(tokens.issue('alice', { claims: claims as never }), TokenClaimsError);
    assert.equal(await tokens.revokeFamily('../../etc'), false);
    assert.equal(await tokens.revokeFamily(5 as never), false);
    assert.equal(await tokens.revokeUser(''), 0);
    assert.deepEqual(await tokens.listFamilies(''), []);
  });
});

describe('stateless verification (checkFamily: false)', () => {
  it('never reads the store, and so accepts a revoked family until the token expires', async () => {
    let reads = 0;
    const inner = new MemoryTokenStore();
    const store: TokenStore = Object.assign(Object.create(inner) as TokenStore, {
      get: (handle: string) => {
        reads++;
        return inner.get(handle);
      },
    });
    for (const m of ['create', 'rotate', 'revoke', 'revokeUser', 'listByUser'] as const) (store as unknown as Record<string, unknown>)[m] = (inner[m] as (...a: unknown[]) => unknown).bind(inner);
    const tokens = createTokens(base({ store, checkFamily: false }));
    const issued = await tokens.issue('alice');
    await tokens.revokeFamily(issued.familyHandle);
    reads = 0;
    assert.ok(await tokens.verifyAccess(issued.accessToken));
    assert.equal(reads, 0);
    assert.equal(await tokens.verifyAccess(issued.accessToken, { checkFamily: true }), null);
    assert.equal(reads, 1);
  });
});

describe('configuration', () => {
  it('refuses every misconfiguration with a ConfigError', () => {
    const store = new MemoryTokenStore();
    const bad: [string, unknown][] = [
      ['nothing', undefined],
      ['no secrets', { store, audience: AUD }],
      ['no store', { secrets: SECRET, audience: AUD }],
      ['not a store', { secrets: SECRET, audience: AUD, store: {} }],
      ['no audience', { secrets: SECRET, store }],
      ['unknown option', { ...base(), accessTTL: '5m' }],
      ['alg none', { ...base(), algorithms: ['none'] }],
      ['no HS256 without keys', { ...base(), algorithms: ['EdDSA'] }],
      ['key alg none', { ...base(), keys: { current: { kid: 'a', alg: 'none' } } }],
      ['key alg not allowed', { ...base(), keys: { current: { kid: 'a', alg: 'RS256', privateKey: rsa.privateKey } } }],
      ['short HS secret', { ...base(), algorithms: ['HS256'], keys: { current: { kid: 'a', alg: 'HS256', secret: 'short' } } }],
      ['rsa-pss key (jose cannot sign with one)', { ...base(), algorithms: ['PS256'], keys: { current: { kid: 'a', alg: 'PS256', privateKey: generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey } } }],
      ['1024-bit RSA', { ...base(), algorithms: ['RS256'], keys: { current: { kid: 'a', alg: 'RS256', privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey } } }],
      ['P-384 key for ES256', { ...base(), keys: { current: { kid: 'a', alg: 'ES256', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey } } }],
      ['RSA key for EdDSA', { ...base(), keys: { current: { kid: 'a', alg: 'EdDSA', privateKey: rsa.privateKey } } }],
      ['secret for EdDSA', { ...base(), keys: { current: { kid: 'a', alg: 'EdDSA', secret: SECRET } } }],
      ['duplicate kid', { ...base(), keys: { current: { kid: 'a', alg: 'EdDSA', ...ed() }, next: { kid: 'a', alg: 'EdDSA', ...ed() } } }],
      ['bad kid', { ...base(), keys: { current: { kid: 'a b', alg: 'EdDSA', ...ed() } } }],
      ['no current', { ...base(), keys: { next: { kid: 'a', alg: 'EdDSA', ...ed() } } }],
      ['garbage PEM', { ...base(), keys: { current: { kid: 'a', alg: 'EdDSA', privateKey: 'not a key' } } }],
      ['idle > absolute', { ...base(), refreshIdle: '100d' }],
      ['access >= idle', { ...base(), accessTtl: '30d' }],
      ['grace too long', { ...base(), reuseGrace: '5m' }],
      ['bad duration', { ...base(), accessTtl: 'soon' }],
    ];
    for (const [title, options] of bad) assert.throws(() => createTokens(options as TokensOptions), ConfigError, title);
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      assert.throws(() => createTokens(base({ secrets: 'keyboard cat', store })), ConfigError, 'placeholder secret in production');
    } finally {
      process.env.NODE_ENV = env;
    }
    assert.ok(createTokens(base({ reuseGrace: 0 })), 'grace can be turned off');
  });
});
