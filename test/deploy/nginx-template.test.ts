/**
 * deploy/nginx/holdfast.conf as a template: every directive in it is explained in its README,
 * every placeholder is documented, and the documented envsubst command fills in the placeholders
 * exactly as the end-to-end test does, leaving nginx's own variables ($host, $scheme, ...) alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, SITE_TEMPLATE } from '../e2e/support/nginx.ts';

const template = readFileSync(SITE_TEMPLATE, 'utf8');
const readme = readFileSync(fileURLToPath(new URL('../../deploy/nginx/README.md', import.meta.url)), 'utf8');

/** Directive names: the first word of every statement outside comments. */
function directives(conf: string): string[] {
  const names = new Set<string>();
  for (const raw of conf.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^([a-z_0-9]+)\b/.exec(line);
    if (match !== null) names.add(match[1]!);
  }
  return [...names];
}

const placeholders = [...new Set([...template.matchAll(/\$\{(HOLDFAST_[A-Z_]+)\}/g)].map((m) => m[1]!))];

const sample: Record<string, string> = {
  HOLDFAST_SERVER_NAME: 'example.com',
  HOLDFAST_PUBLIC_ORIGIN: 'https://example.com',
  HOLDFAST_HTTP_LISTEN: '80',
  HOLDFAST_HTTPS_LISTEN: '443',
  HOLDFAST_TLS_CERT: '/etc/letsencrypt/live/example.com/fullchain.pem',
  HOLDFAST_TLS_KEY: '/etc/letsencrypt/live/example.com/privkey.pem',
  HOLDFAST_UPSTREAM: '127.0.0.1:3000',
};

describe('deploy/nginx/holdfast.conf', () => {
  it('has the directives the deployment promises', () => {
    for (const line of [
      'ssl_protocols TLSv1.2 TLSv1.3;',
      'server_tokens off;',
      'proxy_set_header X-Forwarded-Proto $scheme;',
      'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      'proxy_set_header Host $host;',
      'add_header Strict-Transport-Security "max-age=63072000" always;',
      'return 301 ${HOLDFAST_PUBLIC_ORIGIN}$request_uri;',
    ]) {
      assert.ok(template.includes(line), line);
    }
    assert.doesNotMatch(template, /SSLv3|TLSv1(\.1)?[ ;]/);
  });

  it('explains every directive in README.md', () => {
    const names = directives(template);
    assert.ok(names.length >= 25, `found ${names.length} directives`);
    const missing = names.filter((name) => ![' ', ';', '`'].some((end) => readme.includes(`\`${name}${end}`)));
    assert.deepEqual(missing, []);
  });

  it('documents every placeholder, in the README table and in the file header', () => {
    assert.deepEqual(placeholders.toSorted(), Object.keys(sample).toSorted());
    for (const name of placeholders) {
      assert.ok(readme.includes(`| \`\${${name}}\` |`), `README table row for ${name}`);
      assert.match(template, new RegExp(`^#\\s+\\$\\{${name}\\}`, 'm'), `header line for ${name}`);
    }
  });

  it("the README's envsubst command renders it like the tests do and keeps nginx's variables", { skip: !existsSync('/usr/bin/envsubst') && 'envsubst (gettext-base) is not installed' }, () => {
    const command = /envsubst '([^']+)'/.exec(readme);
    assert.ok(command, 'README shows envsubst with a variable list');
    assert.deepEqual(command[1]!.split(' ').toSorted(), placeholders.map((n) => `\${${n}}`).toSorted(), 'the list names every placeholder');
    const out = execFileSync('envsubst', [command[1]!], { input: template, env: { ...process.env, ...sample, host: 'X', scheme: 'X' } }).toString();
    assert.equal(out, renderTemplate(template, sample));
    for (const variable of ['$host', '$scheme', '$request_uri', '$proxy_add_x_forwarded_for']) assert.ok(out.includes(variable), variable);
  });
});
