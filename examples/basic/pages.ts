/** The example's HTML, escaped. */
import type { SessionInfo } from 'holdfast';

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The hidden CSRF field every form carries (holdfast/csrf checks it when a browser sends no Origin). */
const csrfField = (token: string): string => `<input type="hidden" name="_csrf" value="${escape(token)}">`;

/**
 * The idle-timeout warning (holdfast/client) for a signed-in page. The token rides in a data
 * attribute, not in the script, so the script stays static.
 */
function timeoutWarning(token: string): string {
  return `<meta name="csrf-token" content="${escape(token)}">
<script type="module">
import { watchSession } from '/assets/holdfast-client.js';
const token = document.querySelector('meta[name="csrf-token"]').content;
window.holdfastWatch = watchSession({
  statusUrl: '/session/status',
  extendUrl: '/session/extend',
  loginUrl: '/',
  observeFetch: true,
  headers: { 'X-CSRF-Token': token },
});
</script>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(title)} · holdfast</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #ddd}
.flash{background:#eef6ee;padding:.5rem 1rem;border-radius:4px}form{display:inline}</style></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

export function homePage(p: { userId: string | null; visits: number; flash: string | undefined; expiresAt: number; csrfToken: string }): string {
  const flash = p.flash === undefined ? '' : `<p class="flash" role="status">${escape(p.flash)}</p>`;
  const who =
    p.userId === null
      ? `<form method="post" action="/login">${csrfField(p.csrfToken)}<label>Name <input name="name" autocomplete="username" required maxlength="64"></label> <button>Sign in</button></form>`
      : `<p>Signed in as <strong id="user">${escape(p.userId)}</strong>.</p>
<p><a href="/sessions">Your sessions</a></p><form method="post" action="/logout">${csrfField(p.csrfToken)}<button>Sign out</button></form>
${timeoutWarning(p.csrfToken)}`;
  return page(
    'holdfast example',
    `${flash}${who}<p>Visits in this session: <span id="visits">${p.visits}</span>. It expires at ${new Date(p.expiresAt).toISOString()} unless you come back.</p>`,
  );
}

export function sessionsPage(list: SessionInfo[], current: string, csrfToken: string): string {
  const rows = list
    .map(
      (s) => `<tr><td><code>${escape(s.handle)}</code>${s.handle === current ? ' (this one)' : ''}</td>
<td>${escape(s.ip ?? '?')}</td><td>${escape((s.userAgent ?? '?').slice(0, 60))}</td>
<td>${new Date(s.lastSeenAt).toISOString()}</td>
<td>${s.handle === current ? '' : `<form method="post" action="/sessions/revoke">${csrfField(csrfToken)}<input type="hidden" name="handle" value="${escape(s.handle)}"><button>End</button></form>`}</td></tr>`,
    )
    .join('');
  return page(
    'Your sessions',
    `<table><thead><tr><th>Session</th><th>IP</th><th>Browser</th><th>Last seen</th><th></th></tr></thead><tbody>${rows}</tbody></table>
${timeoutWarning(csrfToken)}
<p><form method="post" action="/sessions/revoke-others">${csrfField(csrfToken)}<button>Sign out everywhere else</button></form> <a href="/">Back</a></p>`,
  );
}
