/**
 * nginx from deploy/nginx/holdfast.conf, run by the test as its own process: the site file is
 * rendered with this test's ports, certificate and upstream (every ${HOLDFAST_*} placeholder
 * replaced, nothing else touched), wrapped in a minimal main file whose paths all live in a
 * temporary prefix, and started in the foreground (`daemon off`).
 *
 * The wrapper sets `ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3` in the http block, as Debian's
 * stock nginx.conf does, so the tests show that the site file's own TLS settings win over it, and
 * it adds a control server on another port configured like the old examples (TLS 1.0-1.3, any
 * cipher at OpenSSL security level 0): a handshake that this nginx refuses on the holdfast port
 * but accepts on the control port was refused by the site file, not by this machine's OpenSSL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { testCertificate } from '../../support/tls.ts';
import { freePort, startTracked, type Tracked } from './processes.ts';

export const NGINX = '/usr/sbin/nginx';
export const SITE_TEMPLATE = fileURLToPath(new URL('../../../deploy/nginx/holdfast.conf', import.meta.url));

/** Replace every `${NAME}` placeholder; throws on one without a value, so the template and the test cannot drift apart. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const unused = new Set(Object.keys(values));
  const out = template.replace(/\$\{(HOLDFAST_[A-Z_]+)\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder \${${name}}`);
    unused.delete(name);
    return value;
  });
  if (unused.size > 0) throw new Error(`values for placeholders the template does not have: ${[...unused].join(', ')}`);
  return out;
}

export interface Nginx {
  readonly httpsPort: number;
  readonly httpPort: number;
  /** The permissive control server (same certificate, old-style TLS settings). */
  readonly controlPort: number;
  readonly origin: string;
  /** nginx's error log so far. */
  errorLog(): string;
  stop(): Promise<void>;
}

export function nginxAvailable(): boolean {
  return existsSync(NGINX);
}

/**
 * Starts nginx on three fresh loopback ports. The ports were free a moment before nginx binds
 * them; if another process took one meanwhile, nginx exits with EADDRINUSE and this tries again.
 */
export async function startNginx(upstreamPort: number): Promise<Nginx> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNginxOnce(upstreamPort);
    } catch (error) {
      if (attempt >= 3 || !String((error as Error).message).includes('Address already in use')) throw error;
    }
  }
}

async function startNginxOnce(upstreamPort: number): Promise<Nginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'holdfast-e2e-nginx-'));
  const { key, cert } = testCertificate();
  writeFileSync(join(prefix, 'cert.pem'), cert);
  writeFileSync(join(prefix, 'key.pem'), key, { mode: 0o600 });
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const controlPort = await freePort();
  const origin = `https://127.0.0.1:${httpsPort}`;

  const site = renderTemplate(readFileSync(SITE_TEMPLATE, 'utf8'), {
    HOLDFAST_SERVER_NAME: '127.0.0.1',
    HOLDFAST_PUBLIC_ORIGIN: origin,
    HOLDFAST_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    HOLDFAST_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
    HOLDFAST_TLS_CERT: join(prefix, 'cert.pem'),
    HOLDFAST_TLS_KEY: join(prefix, 'key.pem'),
    HOLDFAST_UPSTREAM: `127.0.0.1:${upstreamPort}`,
  });
  writeFileSync(join(prefix, 'holdfast.conf'), site);

  // As root nginx would switch its workers to `nobody`, who cannot write the temp dirs here; as
  // any other user the directive is ignored, so leave it out.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${user}worker_processes 1;
events { worker_connections 128; }
http {
    access_log ${join(prefix, 'access.log')};
    client_body_temp_path ${join(prefix, 'client_body')};
    proxy_temp_path ${join(prefix, 'proxy')};
    fastcgi_temp_path ${join(prefix, 'fastcgi')};
    uwsgi_temp_path ${join(prefix, 'uwsgi')};
    scgi_temp_path ${join(prefix, 'scgi')};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    include ${join(prefix, 'holdfast.conf')};
    server {
        listen 127.0.0.1:${controlPort} ssl;
        ssl_certificate ${join(prefix, 'cert.pem')};
        ssl_certificate_key ${join(prefix, 'key.pem')};
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
        ssl_ciphers DEFAULT:@SECLEVEL=0;
        return 204;
    }
}
`,
  );

  const errorLog = join(prefix, 'error.log');
  const child: Tracked = startTracked(
    NGINX,
    ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', `daemon off; pid ${join(prefix, 'nginx.pid')}; error_log ${errorLog} info;`],
    { name: 'nginx' },
  );
  const readLog = (): string => {
    try {
      return readFileSync(errorLog, 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await waitForReady(join(prefix, 'nginx.pid'), httpsPort, child, () => `${child.output}\n${readLog()}`);
  } catch (error) {
    await child.stop();
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  return {
    httpsPort,
    httpPort,
    controlPort,
    origin,
    errorLog: readLog,
    async stop() {
      await child.stop();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/**
 * Poll until nginx is up: it writes its pid file only after it has bound every listen socket (so
 * a port that another process holds cannot pass for nginx's), then accepts on the https port.
 */
async function waitForReady(pidFile: string, port: number, child: Tracked, diagnostics: () => string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.ended) throw new Error(`nginx exited:\n${diagnostics()}`);
    if (existsSync(pidFile)) {
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (ok && !child.ended) return;
    }
    if (Date.now() > deadline) throw new Error(`nginx was not ready on ${port} within ${ms} ms:\n${diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
