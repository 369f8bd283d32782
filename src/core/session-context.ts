/**
 * One request's session: identity, data with per-key change tracking, the lifecycle methods, and
 * the commit that turns what the handler did into the fewest store writes and one Set-Cookie.
 *
 * Data is decoded lazily, key by key: the JSON text each key had when loaded is its snapshot, so
 * a commit re-serialises only the keys the handler touched and writes only those whose text
 * changed (nested mutation such as `session.cart.push(x)` included).
 */
import { parseDuration, type Duration } from './duration.ts';
import { CorruptRecordError, SessionStateError } from './errors.ts';
import type { SessionEventMap } from './events.ts';
import { expiryOf, idleLimitOf } from './expiry.ts';
import { generateId, handleOf, storeKeyOf } from './ids.ts';
import { changesOf } from './change-set.ts';
import { applyDataPatch, emptyData, toNullProto } from './record-codec.ts';
import type { EngineCore, RequestView } from './engine-core.ts';
import { createSessionProxy, newSessionTarget } from './session-proxy.ts';
import type { LoginOptions, RegenerateOptions, Session } from './session-types.ts';
import {
  failedPlan,
  NOTHING_TO_DO,
  PendingCommit,
  settledPlan,
  type CommitPlan,
  type CookieAction,
  type PatchWrite,
  type SetWrite,
  type StoreWrite,
  type TouchWrite,
} from './commit-plan.ts';
import type { EncodedData, SessionMeta, SessionRecord } from './store.ts';
import type { Transport } from './transport.ts';

export type { CommitPlan } from './commit-plan.ts';

type PendingEvent = { type: 'created' | 'login' | 'regenerated'; previousHandle: string | undefined };

const MAX_USER_AGENT = 256;

/**
 * Called when login() / regenerate() has moved a stored session to a new ID, with the store key
 * the session had and the engine's time. holdfast/csrf sets it to remember the previous token
 * binding for a grace period. It may change the session's data (ctx.assign).
 */
export type RotationHook = (ctx: SessionContext, previousKey: string, now: number) => void;

/**
 * Request header of a passive request (a status poll): it never counts as activity. Honoured
 * whatever its origin, because all it can do is not extend a session.
 */
export const PASSIVE_HEADER = 'holdfast-passive';

export class SessionContext {
  readonly transport: Transport;
  /** The object the application uses. */
  readonly session: Session;
  readonly #core: EngineCore;
  readonly #view: RequestView;

  #id: string | undefined;
  /** The cookie value `<id>.<mac>` under the current secret, for the ID in #signedFor. */
  #signed: string | undefined;
  #signedFor: string | undefined;
  #key: string | undefined;
  /** A record exists in the store under #key. */
  #stored: boolean;
  #meta: SessionMeta;
  /** JSON text per key as last read from / written to the store. */
  #raw: EncodedData;
  /** Decoded values (the proxy's target). */
  readonly #values: Record<string, unknown>;
  #removed: Set<string> | undefined;
  /** Keys the handler assigned (only these, and objects, can differ from their stored text). */
  #assigned: Set<string> | undefined;
  #touchRequested = false;
  /**
   * A passive request (a status poll): activity does not extend the idle expiry, so the commit
   * never touches the record for the touch throttle. Changes are still written (without meta) and
   * an explicit touch() still extends. Also set by a `Holdfast-Passive: 1` request header.
   */
  passive = false;
  /** The client holds a cookie that must be cleared unless a new one replaces it. */
  #clearCookie: boolean;
  /** A save() wrote and the response still owes the client the cookie. */
  #cookieDue = false;
  #committed = false;
  /** The save() in progress, if any. */
  #saving: Promise<void> | undefined;
  #events: PendingEvent[] | undefined;
  #bound: Record<string, unknown> | undefined;
  /** See RotationHook. */
  onRotate: RotationHook | undefined = undefined;

  constructor(
    core: EngineCore,
    view: RequestView,
    transport: Transport,
    loaded?: { id: string; key: string; record: SessionRecord; signed?: string | undefined },
  ) {
    this.#core = core;
    this.#view = view;
    this.transport = transport;
    this.#values = newSessionTarget();
    this.#clearCookie = false;
    if (loaded === undefined) {
      this.#stored = false;
      this.#meta = this.#freshMeta(null, core.clock());
      this.#raw = emptyData();
    } else {
      this.#id = loaded.id;
      this.#signed = loaded.signed;
      this.#signedFor = loaded.id;
      this.#key = loaded.key;
      this.#stored = true;
      this.#meta = loaded.record.meta;
      this.#raw = loaded.record.data;
    }
    this.session = createSessionProxy(this, this.#values);
  }

  // ---- identity (read by the proxy) -------------------------------------------------------

  get id(): string {
    return (this.#id ??= generateId());
  }
  get key(): string {
    return (this.#key ??= storeKeyOf(this.id));
  }
  get handle(): string {
    return handleOf(this.key);
  }
  get isNew(): boolean {
    return !this.#stored;
  }
  get meta(): Readonly<SessionMeta> {
    return this.#meta;
  }
  get expiresAt(): number {
    return expiryOf(this.#meta, this.#core);
  }
  /** The engine this session belongs to (for holdfast's own layers: csrf). */
  get engine(): EngineCore {
    return this.#core;
  }
  /** The idle limit that applies now (shorter before login). */
  get idleLimitMs(): number {
    return idleLimitOf(this.#meta, this.#core);
  }
  /** When the absolute timeout ends this session (ms since the epoch). */
  get absoluteExpiresAt(): number {
    return this.#meta.createdAt + this.#core.absoluteMs;
  }
  /** The engine's clock. */
  now(): number {
    return this.#core.clock();
  }

  /**
   * The value of `Holdfast-Session-Expires` for this response (whole seconds left; '0' when the
   * request ended its session), or undefined when the `expiryHeader` option is off or there is no
   * session to speak of. Call after beginCommit(), once the commit's work is done.
   */
  expiryHeader(): string | undefined {
    if (!this.#core.expiryHeader) return undefined;
    if (this.#stored || this.#meta.userId !== null) {
      return String(Math.max(0, Math.floor((this.expiresAt - this.#core.clock()) / 1000)));
    }
    return this.#clearCookie ? '0' : undefined;
  }

  // ---- data access (called by the proxy traps) --------------------------------------------

  /** Decode `key` into the target if it is stored and not yet decoded; says whether it exists. */
  decode(key: string): boolean {
    if (key in this.#values) return true;
    if (this.#removed?.has(key) === true || !(key in this.#raw)) return false;
    let value: unknown;
    try {
      value = JSON.parse(this.#raw[key] as string);
    } catch {
      // Garbage from the store: a 503 like any store failure, and never the text in the message
      // (JSON.parse's own message quotes it).
      throw new CorruptRecordError('session store returned a data value that is not valid JSON');
    }
    this.#values[key] = value;
    return true;
  }

  decodeAll(): void {
    for (const key of Object.keys(this.#raw)) this.decode(key);
  }

  assign(key: string, value: unknown): void {
    this.#assertOpen();
    this.#removed?.delete(key);
    (this.#assigned ??= new Set()).add(key);
    this.#values[key] = value;
  }

  remove(key: string): void {
    this.#assertOpen();
    delete this.#values[key];
    if (key in this.#raw) (this.#removed ??= new Set()).add(key);
  }

  has(key: string): boolean {
    return key in this.#values || (key in this.#raw && this.#removed?.has(key) !== true);
  }

  /** A plain copy of the data, for toJSON and inspection. */
  snapshot(): Record<string, unknown> {
    this.decodeAll();
    return { ...this.#values };
  }

  /** Method of the session API, bound once per request and only when used. */
  method(name: string): unknown {
    const bound = (this.#bound ??= Object.create(null) as Record<string, unknown>);
    return (bound[name] ??= (API[name] as (...args: unknown[]) => unknown).bind(this));
  }

  // ---- lifecycle --------------------------------------------------------------------------

  async login(userId: string | number, options: LoginOptions = {}): Promise<void> {
    const id = normaliseUserId(userId);
    const previousHandle = await this.#dropRecord(options.keepData ?? true);
    const now = this.#core.clock();
    this.#meta = { ...this.#freshMeta(id, now), authAt: now };
    (this.#events ??= []).push({ type: 'login', previousHandle });
  }

  async regenerate(options: RegenerateOptions = {}): Promise<void> {
    this.#assertOpen();
    // Regenerate carries the user and the data to the new ID, so it must not act on a record that
    // was revoked (or logged out, or expired) since this request loaded it: that would bring the
    // session back under a new ID. One read; a revoke landing after it can still slip through.
    if (this.#stored && !(await this.#stillStored())) return;
    const previousHandle = await this.#dropRecord(options.keepData ?? true);
    (this.#events ??= []).push({ type: 'regenerated', previousHandle });
  }

  async logout(): Promise<void> {
    await this.#end('logout');
  }

  async destroy(): Promise<void> {
    await this.#end('destroyed');
  }

  async touch(): Promise<void> {
    this.#touchRequested = true;
  }

  async save(): Promise<void> {
    this.#assertOpen();
    // One save at a time: a save() the app did not await (`session.save(); res.redirect()`) must
    // not be written a second time by the next save or by the commit (two sets, two `created`).
    const previous = this.#saving;
    const run = previous === undefined ? this.#save() : previous.then(() => this.#save(), () => this.#save());
    this.#saving = run;
    const settled = (): void => {
      if (this.#saving === run) this.#saving = undefined;
    };
    run.then(settled, settled);
    await run;
  }

  /** Write now; the cookie then goes out with the response. */
  async #save(): Promise<void> {
    const write = this.#prepare();
    if (write === undefined) return;
    const action = await this.#run(write, false);
    if (action === 'set') this.#cookieDue = true;
    else if (action === 'clear') this.#clearCookie = true;
  }

  async reload(): Promise<void> {
    this.#assertOpen();
    this.#resetData();
    if (!this.#stored) return;
    const record = await this.#core.store.get(this.key);
    if (record !== null && this.#core.expiredReason(record.meta) === undefined) {
      this.#meta = record.meta;
      this.#raw = record.data;
      return;
    }
    // Gone or expired meanwhile: start afresh, leaving the stale cookie alone (see #vanished).
    this.#stored = false;
    this.#becomeFresh();
    this.#cookieDue = false;
  }

  isFresh(maxAge: Duration): boolean {
    const ms = parseDuration('isFresh(maxAge)', maxAge);
    return this.#meta.authAt !== null && this.#core.clock() - this.#meta.authAt <= ms;
  }

  // ---- commit ----------------------------------------------------------------------------

  /**
   * Decide synchronously what this response does (so headers can go out now) and start the store
   * work. Call once, before the response headers are sent. When the store writes synchronously
   * (MemoryStore, SqliteStore), the write is done before this returns and the plan is not pending.
   */
  beginCommit(): CommitPlan {
    if (this.#committed) return NOTHING_TO_DO;
    this.#committed = true;
    const saving = this.#saving;
    if (saving !== undefined) return this.#pendingPlan(this.#afterSave(saving), 'set');
    const write = this.#prepare();
    if (write === undefined) return this.#settledPlan('none');
    if (write.op !== 'set' && this.#core.store.writesSync) {
      let action: CookieAction;
      try {
        action = this.#runSync(write);
      } catch (error) {
        return failedPlan(error);
      }
      return this.#settledPlan(action);
    }
    return this.#pendingPlan(this.#run(write, true), write.cookie);
  }

  /** The plan once every write is done: the cookie the outcome calls for (or a save() left due). */
  #settledPlan(action: CookieAction): CommitPlan {
    return settledPlan(this.#cookieFor(action !== 'none' ? action : this.#cookieDue ? 'set' : this.#clearCookie ? 'clear' : 'none'));
  }

  /** The plan while a write is in flight; `expected` is the cookie action if it succeeds. */
  #pendingPlan(work: Promise<CookieAction>, expected: CookieAction): CommitPlan {
    // The expected cookie is only needed when headers leave before the write (streaming), so it
    // is signed on demand: the usual path signs once, after the store acknowledged.
    let memo: string | undefined;
    let signed = false;
    const cookieFor = (action: CookieAction): string | undefined => {
      if (action !== 'set') return this.#cookieFor(action);
      if (!signed) {
        memo = this.#cookieFor('set');
        signed = true;
      }
      return memo;
    };
    const done = work.then((action) => cookieFor(action === 'none' && this.#cookieDue ? 'set' : action));
    return new PendingCommit(done, () => cookieFor(expected));
  }

  /** The commit's work when a save() is still running: wait for it, then write what is left. */
  async #afterSave(saving: Promise<void>): Promise<CookieAction> {
    await saving.catch(() => undefined); // its failure went to save()'s caller; try again here
    const write = this.#prepare();
    if (write !== undefined) return this.#run(write, true);
    return this.#cookieDue ? 'set' : this.#clearCookie ? 'clear' : 'none';
  }

  /**
   * Work out the store operation from the current state, synchronously; undefined when nothing
   * needs writing.
   *
   * Activity extends the idle expiry at most once per `touchAfter`, whether the request read or
   * wrote: a write that is not due a touch keeps the stored expiry and sends no cookie (the
   * browser's cookie still matches the record), so a busy session is not re-sent its cookie on
   * every request. A cookie verified with an old secret is re-signed on its next write.
   */
  #prepare(): StoreWrite | undefined {
    const core = this.#core;
    const now = core.clock();
    const changes = changesOf(this.#values, this.#raw, this.#assigned, this.#removed);

    if (!this.#stored) {
      if (changes === undefined && this.#meta.userId === null && Object.keys(this.#raw).length === 0) return undefined;
      if (!core.canSendCookie(this.transport)) return undefined;
      const data = toNullProto(this.#raw);
      if (changes !== undefined) applyDataPatch(data, changes.set, changes.unset);
      return { op: 'set', key: this.key, record: { meta: this.#stamp(now), data }, now, cookie: 'set' };
    }

    // The passive header is read only when a touch would be due (once per touchAfter at most).
    const due = this.#touchRequested || (now - this.#meta.touchedAt >= core.touchAfterMs && !this.#isPassive());
    this.#touchRequested = false;
    if (changes !== undefined) {
      // Not due: the stored meta stays as it is (a concurrent request may have touched it since).
      const meta = due ? this.#stamp(now) : undefined;
      const cookie = due || this.#signed === undefined ? 'set' : 'none';
      return { op: 'patch', key: this.key, patch: { set: changes.set, unset: changes.unset, meta }, cookie };
    }
    if (!due) return undefined;
    const { touchedAt, expiresAt } = this.#stamp(now);
    return { op: 'touch', key: this.key, meta: { touchedAt, expiresAt }, cookie: 'set' };
  }

  /**
   * Perform a write through the store's promises; says what the cookie must do. `final`: the
   * response's commit (nothing changes afterwards), not a save().
   */
  #run(write: StoreWrite, final: boolean): Promise<CookieAction> {
    const store = this.#core.store;
    switch (write.op) {
      case 'set':
        return this.#create(write);
      case 'patch':
        return store.patch(write.key, write.patch).then((ok) => this.#patched(write, ok, final));
      case 'touch':
        return store.touch(write.key, write.meta).then((ok) => (ok ? 'set' : this.#vanished()));
    }
  }

  /** Store a new record (new session, or the new ID of a login / regenerate). */
  async #create(write: SetWrite): Promise<CookieAction> {
    await this.#core.store.set(write.key, write.record);
    this.#raw = write.record.data;
    this.#removed = undefined;
    this.#stored = true;
    await this.#afterCreate(write.now);
    return 'set';
  }

  /** Perform the commit's patch or touch on a store that writes synchronously. Throws StoreError. */
  #runSync(write: PatchWrite | TouchWrite): CookieAction {
    const store = this.#core.store;
    if (write.op === 'patch') return this.#patched(write, store.patchSync(write.key, write.patch), true);
    return store.touchSync(write.key, write.meta) ? 'set' : this.#vanished();
  }

  /** After the store answered a patch: the new snapshot, or start over if the record was gone. */
  #patched(write: PatchWrite, ok: boolean, final: boolean): CookieAction {
    if (!ok) return this.#vanished();
    // After the response's commit the session is read-only: #values holds every changed key and
    // #removed every removed one, so the snapshot need not be rebuilt.
    if (final) return write.cookie;
    // A new map, never an edit: #raw may be the store's own record (see SessionStore.getSync).
    const raw = toNullProto(this.#raw);
    applyDataPatch(raw, write.patch.set, write.patch.unset);
    this.#raw = raw;
    this.#removed = undefined;
    return write.cookie;
  }

  /** Move activity to `now`, recompute expiry, return the new meta. */
  #stamp(now: number): SessionMeta {
    const meta = { ...this.#meta, touchedAt: now };
    meta.expiresAt = expiryOf(meta, this.#core);
    this.#meta = meta;
    return meta;
  }

  async #afterCreate(now: number): Promise<void> {
    const events = this.#events ?? [{ type: 'created', previousHandle: undefined }];
    this.#events = undefined;
    for (const event of events) {
      if (event.type === 'login') this.#emit('login', { previousHandle: event.previousHandle });
      else if (event.type === 'regenerated') this.#emit('regenerated', { previousHandle: event.previousHandle });
      else this.#emit('created', {});
    }
    if (events.some((e) => e.type === 'login') && this.#meta.userId !== null) {
      await this.#core.enforceSessionLimit(this.#meta.userId, this.key, now, this.#view, this.transport);
    }
  }

  /** Whether this session's record still exists and lives; if not, start over (see #vanished). */
  async #stillStored(): Promise<boolean> {
    const record = await this.#core.store.get(this.key);
    if (record !== null && record.meta.userId === this.#meta.userId && this.#core.expiredReason(record.meta) === undefined) return true;
    this.#vanished();
    return false;
  }

  /**
   * The record disappeared between load and commit (revoked, logged out elsewhere): never
   * resurrect it. Start over as a new anonymous session so a later save() or commit cannot write
   * the revoked ID (or its user and data) back. The cookie is left alone rather than cleared:
   * browsers delete cookies by name, so a "clear" on a slow response could land after a
   * concurrent login's Set-Cookie and sign the user out; the stale cookie is rejected as unknown
   * and its Max-Age (aligned with the record's expiry) ends it anyway.
   */
  #vanished(): CookieAction {
    this.#stored = false;
    this.#becomeFresh();
    this.#cookieDue = false;
    return 'none';
  }

  #cookieFor(action: CookieAction): string | undefined {
    const core = this.#core;
    if (action === 'none') return undefined;
    if (!core.canSendCookie(this.transport)) return undefined;
    const secure = this.transport.secure;
    if (action === 'clear') return core.cookie.clear(secure);
    return core.cookie.serialize(secure, this.#signedValue(), this.expiresAt - core.clock());
  }

  /** `<id>.<mac>` for the current ID: the verified incoming value when it still applies, else signed now. */
  #signedValue(): string {
    const id = this.id;
    if (this.#signedFor !== id || this.#signed === undefined) {
      this.#signed = this.#core.keyring.sign(id);
      this.#signedFor = id;
    }
    return this.#signed;
  }

  // ---- internals -------------------------------------------------------------------------

  #isPassive(): boolean {
    return this.passive || this.#view.header(PASSIVE_HEADER) === '1';
  }

  /** Remove the stored record (if any) and move to a new ID, keeping or dropping data. */
  async #dropRecord(keepData: boolean): Promise<string | undefined> {
    this.#assertOpen();
    const previousKey = this.#stored ? this.key : undefined;
    const previousHandle = previousKey === undefined ? undefined : handleOf(previousKey);
    if (this.#stored) await this.#core.store.destroy(this.key);
    if (keepData) this.decodeAll();
    else this.#resetData();
    // The client's cookie now names nothing: clear it unless the commit writes a new session.
    if (this.#stored) this.#clearCookie = true;
    this.#cookieDue = false;
    this.#raw = emptyData();
    this.#removed = undefined;
    this.#stored = false;
    this.#id = undefined;
    this.#key = undefined;
    if (previousKey !== undefined) this.onRotate?.(this, previousKey, this.#core.clock());
    return previousHandle;
  }

  async #end(type: 'logout' | 'destroyed'): Promise<void> {
    this.#assertOpen();
    const hadRecord = this.#stored;
    const handle = hadRecord ? this.handle : undefined;
    const userId = this.#meta.userId;
    if (hadRecord) await this.#core.store.destroy(this.key);
    this.#stored = false;
    this.#becomeFresh();
    this.#clearCookie = true;
    this.#cookieDue = false;
    if (hadRecord) this.#emit(type, { handle, userId });
  }

  /** Start over as a brand-new anonymous session (new ID on demand, no data). */
  #becomeFresh(): void {
    this.#resetData();
    this.#raw = emptyData();
    this.#id = undefined;
    this.#key = undefined;
    this.#events = undefined;
    this.#meta = this.#freshMeta(null, this.#core.clock());
  }

  #resetData(): void {
    for (const key of Object.keys(this.#values)) delete this.#values[key];
    this.#assigned = undefined;
    this.#removed = undefined;
  }

  #freshMeta(userId: string | null, now: number): SessionMeta {
    const ua = this.#view.header('user-agent');
    return {
      userId,
      createdAt: now,
      authAt: null,
      touchedAt: now,
      expiresAt: now,
      ip: this.transport.clientIp ?? null,
      userAgent: ua === undefined ? null : ua.slice(0, MAX_USER_AGENT),
    };
  }

  #emit<K extends keyof SessionEventMap>(type: K, extra: Partial<SessionEventMap[K]>): void {
    const core = this.#core;
    if (!core.events.wants(type)) return;
    core.events.emit(type, {
      time: core.clock(),
      ip: this.transport.clientIp,
      method: this.#view.method,
      path: this.#view.path,
      userId: this.#meta.userId,
      handle: this.#stored ? this.handle : undefined,
      ...extra,
    } as SessionEventMap[K]);
  }

  #assertOpen(): void {
    if (this.#committed) {
      throw new SessionStateError('the session was already committed for this response; change it before the response is sent');
    }
  }
}

/** The API methods the proxy exposes, looked up by name and bound lazily. */
const API: Record<string, unknown> = {
  login: SessionContext.prototype.login,
  logout: SessionContext.prototype.logout,
  regenerate: SessionContext.prototype.regenerate,
  destroy: SessionContext.prototype.destroy,
  touch: SessionContext.prototype.touch,
  save: SessionContext.prototype.save,
  reload: SessionContext.prototype.reload,
  isFresh: SessionContext.prototype.isFresh,
  toJSON: SessionContext.prototype.snapshot,
};

function normaliseUserId(userId: unknown): string {
  if (typeof userId === 'number' && Number.isFinite(userId)) return String(userId);
  if (typeof userId === 'string' && userId.length > 0 && userId.length <= 256) return userId;
  throw new TypeError('login(userId) needs a non-empty string (at most 256 characters) or a finite number');
}
