/**
 * Chromium for end-to-end tests: the Debian build at /usr/bin/chromium driven by playwright-core
 * (never a downloaded browser), headless, trusting the tests' self-signed certificates.
 *
 * Selectors are the demo's form: the field `input[name="name"]`, the buttons "Sign in" and
 * "Sign out", and `#user` holding the signed-in name.
 */
import { access, constants } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { NGINX } from './nginx.ts';
import { requireService } from '../../support/services.ts';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether Chromium (and nginx, when asked) are installed; loud skip, or a failure under CI=true. */
export function requireTools(tools: { nginx: boolean }): Promise<boolean> {
  const paths = tools.nginx ? [CHROMIUM, NGINX] : [CHROMIUM];
  return requireService(paths.join(' and '), () => Promise.all(paths.map((path) => access(path, constants.X_OK))));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 20_000 });
}

export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

export interface SeenResponse {
  method: string;
  path: string;
  status: number;
  /** Every raw Set-Cookie header of this response, as the browser received it. */
  setCookies: string[];
}

/** The pending Set-Cookie reads of each `recordResponses` list. */
const settleOf = new WeakMap<SeenResponse[], Promise<void>[]>();

/** Records every response the page gets (redirects included) with its raw Set-Cookie headers; `await settle(seen)` before reading them. */
export function recordResponses(page: Page): SeenResponse[] {
  const seen: SeenResponse[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (response) => {
    const entry: SeenResponse = {
      method: response.request().method(),
      path: new URL(response.url()).pathname,
      status: response.status(),
      setCookies: [],
    };
    seen.push(entry);
    pending.push(
      response.headersArray().then(
        (headers) => {
          for (const h of headers) if (h.name.toLowerCase() === 'set-cookie') entry.setCookies.push(...h.value.split('\n'));
        },
        () => undefined,
      ),
    );
  });
  settleOf.set(seen, pending);
  return seen;
}

/** Waits until the Set-Cookie headers of every response recorded so far have been read. */
export async function settle(seen: SeenResponse[]): Promise<SeenResponse[]> {
  await Promise.all(settleOf.get(seen) ?? []);
  return seen;
}

/** Opens the home page, types the name into the sign-in form and submits it with its button. */
export async function signInThroughForm(page: Page, origin: string, name: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('input[name="name"]').fill(name);
  await submitAndLand(page, '/login', 'Sign in');
}

export async function signOutThroughButton(page: Page): Promise<void> {
  await submitAndLand(page, '/logout', 'Sign out');
}

/** Clicks the button that posts to `action`, then waits for the page the 303 redirect lands on. */
async function submitAndLand(page: Page, action: string, button: string): Promise<void> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action);
  const landed = page.waitForResponse(
    (r) => r.request().method() === 'GET' && r.request().resourceType() === 'document' && new URL(r.url()).pathname === '/',
  );
  await page.getByRole('button', { name: button }).click();
  await posted;
  await landed;
  await page.waitForLoadState('load');
}

/** The signed-in name shown on the page, or null when the page shows the sign-in form. */
export async function shownUser(page: Page): Promise<string | null> {
  const user = page.locator('#user');
  if ((await user.count()) === 0) return null;
  return (await user.textContent())?.trim() ?? null;
}
