/**
 * holdfast/client: idle-timeout warning, tab sync and logout for the browser. Counts down from
 * the server's remaining time on the browser's clock (skew-proof). See docs/client.md.
 */

export interface WatchTexts {
  title: string;
  /** `{time}` is replaced by the time left (m:ss). */
  body: string;
  extend: string;
  logout: string;
}

export interface WatchOptions {
  /** GET route answering `sessionStatus(session)` as JSON. */
  statusUrl: string;
  /** POST route answering `extendSession(session)` as JSON. */
  extendUrl: string;
  /** POST route that logs out; adds a "log out" button, used by logout() and logoutOnClose. */
  logoutUrl?: string;
  /** Where to go when the session ends. Default: reload the page (the server redirects). */
  loginUrl?: string;
  /** Called instead of going to loginUrl when the session ends. */
  onExpire?: (reason: 'expired' | 'logout') => void;
  /** Warn this many ms before the end. Default 60 000; never less than 20 000. */
  warnBefore?: number;
  /** Extra headers for extend and logout requests (a CSRF token, say). */
  headers?: Record<string, string>;
  /** Read Holdfast-Session-Expires from every response of window.fetch. Default false. */
  observeFetch?: boolean;
  /** Send a logout beacon when the page is hidden for good (pagehide). See docs/client.md. */
  logoutOnClose?: boolean;
  /** BroadcastChannel / storage key shared by the tabs. Default 'holdfast-session'. */
  channel?: string;
  text?: Partial<WatchTexts>;
}

export interface SessionWatch {
  /** Ask the server how long the session has left (a passive request). */
  check(): Promise<void>;
  /** Extend the session (every tab hears of it). */
  extend(): Promise<void>;
  /** Log out here and in every tab. */
  logout(): Promise<void>;
  /** Learn the remaining time from a response's Holdfast-Session-Expires header. */
  observe(response: Response): void;
  /** Milliseconds left, as this tab knows it. */
  readonly remainingMs: number;
  stop(): void;
}

export const PASSIVE_HEADER = 'Holdfast-Passive';
export const EXPIRES_HEADER = 'Holdfast-Session-Expires';

/** fetch that never counts as activity (the server does not extend the session for it). */
export function passiveFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(PASSIVE_HEADER, '1');
  return fetch(input, { credentials: 'same-origin', cache: 'no-store', ...init, headers });
}

interface Status {
  authenticated: boolean;
  remainingMs: number;
}
/** Tab-to-tab message: d = new deadline (ms, browser clock), x = signed out. */
interface Msg {
  d?: number;
  x?: 1;
}

const fmt = (ms: number): string => {
  const s = Math.max(0, Math.ceil(ms / 1e3));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function watchSession(o: WatchOptions): SessionWatch {
  const warnBefore = Math.max(o.warnBefore ?? 6e4, 2e4);
  const key = o.channel ?? 'holdfast-session';
  const t: WatchTexts = {
    title: 'Your session is about to end',
    body: 'For your security you will be signed out in {time}.',
    extend: 'Stay signed in',
    logout: 'Log out',
    ...o.text,
  };
  const bc = typeof BroadcastChannel === 'function' ? new BroadcastChannel(key) : undefined;
  const doc = document;
  const realFetch = fetch;
  let deadline = Infinity;
  let last = Date.now();
  let ended = false;
  let checking: Promise<void> | undefined;
  let dialog: HTMLDialogElement | undefined;
  let desc: HTMLElement;
  let live: HTMLElement;
  let before: Element | null = null;
  let spoken = 0;
  let waited = 0;

  const send = (m: Msg): void => {
    if (bc) bc.postMessage(m);
    else
      try {
        localStorage.setItem(key, JSON.stringify({ ...m, n: Math.random() }));
      } catch {
        /* no storage: this tab only */
      }
  };
  const receive = (m: Msg): void => {
    if (m.x) end('logout', false);
    else if (m.d) setDeadline(m.d, false);
  };
  const onStorage = (e: StorageEvent): void => {
    if (e.key === key && e.newValue) receive(JSON.parse(e.newValue) as Msg);
  };

  const setDeadline = (d: number, share: boolean): void => {
    deadline = d;
    if (share) send({ d });
    render();
  };
  const onStatus = (s: Status): void => {
    if (s.authenticated && s.remainingMs > 0) setDeadline(Date.now() + s.remainingMs, true);
    else end('expired', true);
  };
  // 401/403: nobody signed in. Other failures: retry later.
  const json = (r: Response): Promise<Status> =>
    r.ok ? (r.json() as Promise<Status>) : r.status === 401 || r.status === 403 ? Promise.resolve({ authenticated: false, remainingMs: 0 }) : Promise.reject(new Error(String(r.status)));

  const check = (): Promise<void> =>
    (checking ??= passiveFetch(o.statusUrl)
      .then(json)
      .then(onStatus, () => (Date.now() >= deadline ? end('expired', true) : render()))
      .finally(() => (checking = undefined)));

  const post = (url: string): Promise<Response> =>
    realFetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', ...o.headers }, body: '{}' });

  const extend = (): Promise<void> => post(o.extendUrl).then(json).then(onStatus, check);

  const logout = (): Promise<void> => (o.logoutUrl ? post(o.logoutUrl) : Promise.resolve()).then(
    () => end('logout', true),
    () => end('logout', true),
  );

  const el = (tag: string, text: string, parent: HTMLElement): HTMLElement => {
    const e = doc.createElement(tag);
    e.textContent = text;
    parent.append(e);
    return e;
  };

  const build = (): HTMLDialogElement => {
    const d = doc.createElement('dialog');
    d.className = 'holdfast-warning';
    d.setAttribute('role', 'alertdialog');
    d.setAttribute('aria-modal', 'true');
    el('h2', t.title, d).id = 'holdfast-title';
    desc = el('p', '', d);
    desc.id = 'holdfast-desc';
    live = el('p', '', d);
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'true');
    live.style.cssText = 'position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)';
    d.setAttribute('aria-labelledby', 'holdfast-title');
    d.setAttribute('aria-describedby', 'holdfast-desc');
    const b = el('button', t.extend, d);
    b.autofocus = true;
    b.dataset.holdfast = 'extend';
    b.onclick = () => void extend();
    if (o.logoutUrl) {
      const l = el('button', t.logout, d);
      l.dataset.holdfast = 'logout';
      l.onclick = () => void logout();
    }
    // Escape = "I am here".
    d.oncancel = (e) => {
      e.preventDefault();
      void extend();
    };
    doc.body.append(d);
    return d;
  };

  const hide = (): void => {
    if (!dialog?.open) return;
    dialog.close();
    if (before instanceof HTMLElement) before.focus();
  };

  const render = (): void => {
    const left = deadline - Date.now();
    if (ended || left > warnBefore) return hide();
    dialog ??= build();
    const text = t.body.replace('{time}', fmt(left));
    desc.textContent = text;
    const s = Math.ceil(left / 1e3);
    if (!dialog.open) {
      before = doc.activeElement;
      if (dialog.showModal) dialog.showModal();
      else dialog.setAttribute('open', '');
      (dialog.querySelector('[data-holdfast=extend]') as HTMLElement).focus();
      spoken = 0;
    }
    // Speak every 15 s (5 s at the end), not every second.
    if (!spoken || (s !== spoken && (s % 15 === 0 || (s <= 10 && s % 5 === 0)))) {
      live.textContent = text;
      spoken = s;
    }
  };

  const end = (reason: 'expired' | 'logout', share: boolean): void => {
    if (ended) return;
    ended = true;
    if (share) send({ x: 1 });
    hide();
    stop();
    if (o.onExpire) o.onExpire(reason);
    else if (o.loginUrl) location.assign(o.loginUrl);
    else location.reload();
  };

  const tick = (): void => {
    const now = Date.now();
    // A late tick (sleep): the count may be stale.
    const gap = now - last > 4e3 && !doc.hidden;
    last = now;
    const left = deadline - now;
    // No answer yet: retry every 30 s.
    if (gap || left <= 0 || (left <= warnBefore && !dialog?.open) || (left === Infinity && ++waited % 30 === 0)) void check();
    else render();
  };

  const observe = (r: Response): void => {
    const v = r.headers.get(EXPIRES_HEADER);
    if (v === null || v === '') return;
    if (+v > 0) setDeadline(Date.now() + +v * 1e3, true);
    else void check();
  };

  const onVisible = (): void => {
    if (!doc.hidden) void check();
  };
  const onHide = (e: PageTransitionEvent): void => {
    if (o.logoutUrl && !e.persisted && !ended) navigator.sendBeacon(o.logoutUrl);
  };

  const timer = setInterval(tick, 1e3);
  if (bc) bc.onmessage = (e: MessageEvent<Msg>) => receive(e.data);
  else addEventListener('storage', onStorage);
  doc.addEventListener('visibilitychange', onVisible);
  addEventListener('pageshow', onVisible);
  if (o.logoutOnClose) addEventListener('pagehide', onHide);
  if (o.observeFetch) window.fetch = (...a) => realFetch(...a).then((r) => (observe(r), r));

  function stop(): void {
    clearInterval(timer);
    bc?.close();
    removeEventListener('storage', onStorage);
    doc.removeEventListener('visibilitychange', onVisible);
    removeEventListener('pageshow', onVisible);
    removeEventListener('pagehide', onHide);
    if (o.observeFetch) window.fetch = realFetch;
    if (!ended) hide();
  }

  void check();
  return {
    check,
    extend,
    logout,
    observe,
    stop,
    get remainingMs() {
      return Math.max(0, deadline - Date.now());
    },
  };
}
