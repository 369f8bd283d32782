import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { checkTls, tryHandshake } from './doctor-tls.ts';

/** A port that was just free (closed again): connecting is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a handshake that never happens is "could not test", never a pass', async () => {
  const port = await closedPort();
  const outcome = await tryHandshake('127.0.0.1', port, 'TLSv1');
  assert.equal(outcome.kind, 'untestable');
  const findings = await checkTls('127.0.0.1', port, undefined);
  assert.deepEqual(findings.map((f) => [f.id, f.status]), [['tls.tls1.0', 'skip'], ['tls.tls1.1', 'skip']]);
  assert.ok(findings.every((f) => /could not test/.test(f.message) && /openssl s_client/.test(f.fix ?? '')));
});

test('a server that sends garbage instead of TLS is not counted as refusing', async () => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const outcome = await tryHandshake('127.0.0.1', port, 'TLSv1.1', 2_000);
    // "wrong version number" is what OpenSSL says for a non-TLS answer: the old version was not accepted.
    assert.notEqual(outcome.kind, 'accepted');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('a negotiated TLS 1.0 or 1.1 fails; 1.2 and 1.3 pass', async () => {
  const port = await closedPort();
  for (const [version, status] of [['TLSv1.3', 'pass'], ['TLSv1.2', 'pass'], ['TLSv1.1', 'fail'], ['TLSv1', 'fail']] as const) {
    const [first] = await checkTls('127.0.0.1', port, version);
    assert.deepEqual([first?.id, first?.status], ['tls.negotiated', status]);
  }
});
