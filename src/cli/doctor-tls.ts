/**
 * `holdfast doctor`: does the server still accept TLS 1.0 / 1.1? One handshake per version with
 * node:tls pinned to it (minVersion = maxVersion). The local OpenSSL may refuse to offer an old
 * version at all (no protocols available, or no cipher at its security level even with
 * SECLEVEL=0): that is reported as "could not test", never as a pass.
 */
import { connect, type SecureVersion } from 'node:tls';
import { finding, type Finding } from './doctor-findings.ts';

export type HandshakeOutcome =
  | { kind: 'accepted'; version: string }
  | { kind: 'refused'; detail: string }
  | { kind: 'untestable'; detail: string };

/** Errors that mean this machine could not even offer the version. */
const LOCAL = /no protocols available|no ciphers available|no cipher match|unsupported protocol.*client|ERR_SSL_NO_PROTOCOLS_AVAILABLE|ERR_TLS_INVALID_PROTOCOL_VERSION|NO_SUITABLE|sslv3 alert handshake failure.*client/i;
/** Errors that mean the server answered and refused. */
const REFUSED = /alert protocol version|tlsv1 alert|wrong version number|unsupported protocol|ECONNRESET|socket hang up|handshake failure|inappropriate fallback/i;

/** The readable part of an OpenSSL error ("tlsv1 alert protocol version"), not its source location. */
function reasonOf(message: string): string {
  return /tlsv1 alert [a-z ]+|alert [a-z ]+|wrong version number|unsupported protocol|no protocols available|socket hang up/i.exec(message)?.[0].trim() ?? message.trim();
}

export function tryHandshake(host: string, port: number, version: SecureVersion, timeout = 5_000): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: HandshakeOutcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    let socket: ReturnType<typeof connect>;
    try {
      socket = connect({
        host, port, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0', rejectUnauthorized: false,
        ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }),
      });
    } catch (error) {
      resolve({ kind: 'untestable', detail: (error as Error).message });
      return;
    }
    socket.setTimeout(timeout, () => done({ kind: 'untestable', detail: `no answer within ${timeout} ms` }));
    socket.once('secureConnect', () => done({ kind: 'accepted', version: socket.getProtocol() ?? version }));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const text = `${error.code ?? ''} ${error.message}`;
      // Local refusals come before a byte is sent; a server refusal has an alert or a reset.
      if (LOCAL.test(text) && socket.bytesWritten === 0) done({ kind: 'untestable', detail: `this machine's OpenSSL would not offer ${version} (${reasonOf(error.message)})` });
      else if (REFUSED.test(text)) done({ kind: 'refused', detail: reasonOf(text) });
      else done({ kind: 'untestable', detail: reasonOf(text) });
    });
  });
}

const OLD: readonly [SecureVersion, string][] = [['TLSv1', 'TLS 1.0'], ['TLSv1.1', 'TLS 1.1']];

/** Findings for TLS 1.0 and 1.1 and for the version the main request negotiated. */
export async function checkTls(host: string, port: number, negotiated: string | undefined): Promise<Finding[]> {
  const out: Finding[] = [];
  if (negotiated !== undefined) {
    out.push(negotiated === 'TLSv1.2' || negotiated === 'TLSv1.3'
      ? finding('tls.negotiated', 'pass', `the connection used ${negotiated}`)
      : finding('tls.negotiated', 'fail', `the connection used ${negotiated}`, 'allow only TLS 1.2 and 1.3 on the TLS endpoint'));
  }
  for (const [version, label] of OLD) {
    const outcome = await tryHandshake(host, port, version);
    const id = `tls.${label.replace(' ', '').toLowerCase()}`;
    if (outcome.kind === 'accepted') out.push(finding(id, 'fail', `the server accepts ${label}`, `disable ${label} on the TLS endpoint (nginx: ssl_protocols TLSv1.2 TLSv1.3;)`));
    else if (outcome.kind === 'refused') out.push(finding(id, 'pass', `the server refuses ${label} (${outcome.detail})`));
    else out.push(finding(id, 'skip', `could not test ${label}: ${outcome.detail}`, `check with another client, e.g. openssl s_client -connect ${host}:${port} -${version === 'TLSv1' ? 'tls1' : 'tls1_1'}`));
  }
  return out;
}
