/**
 * One TLS handshake at exactly one protocol version, with a client that would accept anything
 * (certificate unchecked, OpenSSL security level 0 so TLS 1.0/1.1 and their ciphers are allowed
 * on the client side): the answer is the server's choice, not the client's.
 */
import { connect } from 'node:tls';
import type { SecureVersion } from 'node:tls';

export interface Handshake {
  ok: boolean;
  /** The negotiated protocol when ok, else the error code. */
  detail: string;
}

export function handshake(port: number, version: SecureVersion): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      minVersion: version,
      maxVersion: version,
      ciphers: 'DEFAULT:@SECLEVEL=0',
      rejectUnauthorized: false,
      timeout: 5_000,
    });
    const done = (result: Handshake): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => done({ ok: true, detail: socket.getProtocol() ?? '?' }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, detail: error.code ?? error.message }));
    socket.once('timeout', () => done({ ok: false, detail: 'timeout' }));
  });
}
