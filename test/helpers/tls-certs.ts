/** A throwaway certificate authority with a server certificate for 127.0.0.1 and a client certificate (openssl). */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function makeCertificates(dir: string): TestCertificates {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => {
    try {
      execFileSync('openssl', args, { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`openssl ${args[0]} failed (apt-get install -y openssl): ${String(e)}`);
    }
  };
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=labloop test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const who of ['server', 'client']) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${who === 'server' ? '127.0.0.1' : 'labloop'}`,
      '-keyout',
      f(`${who}.key`),
      '-out',
      f(`${who}.csr`),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      f(`${who}.pem`),
      ...(who === 'server' ? ['-extfile', f('server.ext')] : []),
    );
  }
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}
