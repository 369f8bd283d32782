/**
 * A fetch-style app (Request in, Response out) using holdfast/web: a visit counter, sign-in and
 * sign-out. The same handler shape works in a Next.js route handler, React Router, SvelteKit,
 * Astro, Bun.serve or Deno.serve; server.ts runs it on node:http through ./node-bridge.ts.
 */
import { createWebSessions, type LoadInfo, type WebSessionOptions } from '../../src/adapters/web/index.ts';
import { StoreError } from '../../src/core/errors.ts';
import type { Session } from '../../src/core/session-types.ts';

type Data = { visits?: number };

export function createApp(options: WebSessionOptions): { fetch(request: Request, info?: LoadInfo): Promise<Response>; close(): Promise<void> } {
  const sessions = createWebSessions(options);

  async function route(request: Request, session: Session<Data>): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    if (request.method === 'GET' && pathname === '/') {
      session.visits = (session.visits ?? 0) + 1;
      const who = session.userId === null ? 'nobody' : escapeHtml(session.userId);
      return new Response(
        `<!doctype html><title>holdfast/web</title><p>Signed in as ${who}; ${session.visits} visit(s) in this session.</p>` +
          '<form method="post" action="/login?user=alice"><button>Sign in as alice</button></form>' +
          '<form method="post" action="/logout"><button>Sign out</button></form>',
        { headers: { 'content-type': 'text/html; charset=utf-8' } },
      );
    }
    if (request.method === 'POST' && pathname === '/login') {
      await session.login(searchParams.get('user') ?? 'alice');
      // Response.redirect() has immutable headers: commit() copies it to add the cookie.
      return Response.redirect(new URL('/', request.url), 303);
    }
    if (request.method === 'POST' && pathname === '/logout') {
      await session.logout();
      return Response.redirect(new URL('/', request.url), 303);
    }
    return new Response('not found', { status: 404 });
  }

  return {
    async fetch(request, info) {
      try {
        const web = await sessions.load<Data>(request, info);
        return await web.commit(await route(request, web.session));
      } catch (error) {
        // The store is down or slow: say so rather than answer as if the session worked.
        if (error instanceof StoreError) return new Response('service unavailable', { status: 503 });
        throw error;
      }
    },
    close: () => sessions.engine.close(),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
