/**
 * The OPC UA certificate store: `<dataDir>/pki` (own/, trusted/, rejected/, issuers/), never ~/.config. One
 * certificate manager per folder, shared by every OPC UA instrument and released with the last one. Server
 * certificates named by a lab file (`security.trust`) are added to trusted/; any other one is refused and lands in
 * rejected/, where an operator can move it to trusted/.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';
import { describeError, LabError } from '../../src/common/lab-error.js';

interface Shared {
  manager: Promise<OPCUACertificateManager>;
  users: number;
}

const shared = new Map<string, Shared>();

export function pkiFolder(dataDir: string): string {
  return join(dataDir, 'pki');
}

/** The shared manager of `<dataDir>/pki`; call `releasePki` with the same arguments when done. */
export function acquirePki(dataDir: string, acceptAny: boolean): Promise<OPCUACertificateManager> {
  const key = `${pkiFolder(dataDir)}|${acceptAny}`;
  let s = shared.get(key);
  if (!s) {
    const manager = new OPCUACertificateManager({
      rootFolder: pkiFolder(dataDir),
      automaticallyAcceptUnknownCertificate: acceptAny,
    });
    s = { manager: manager.initialize().then(() => manager), users: 0 };
    shared.set(key, s);
  }
  s.users++;
  return s.manager;
}

export async function releasePki(dataDir: string, acceptAny: boolean): Promise<void> {
  const key = `${pkiFolder(dataDir)}|${acceptAny}`;
  const s = shared.get(key);
  if (!s || --s.users > 0) return;
  shared.delete(key);
  await (await s.manager).dispose();
}

/** Reads a PEM or DER certificate file as DER. */
export function readCertificateFile(path: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new LabError('FILE_NOT_FOUND', `cannot read the certificate ${path}: ${describeError(e)}`);
  }
  try {
    return new X509Certificate(raw).raw;
  } catch {
    throw new LabError('CONFIG_INVALID', `${path} is not a PEM or DER certificate`);
  }
}
