/**
 * What a lab file points at outside itself: brokers with their logins and TLS material, instruments' logins, and
 * files named relative to the lab file (password files, certificates). Read when a lab is loaded, so a missing file
 * is reported then, naming the lab and the key.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Login } from '../broker/broker-credentials.js';
import { readTls, type BrokerEndpoint } from '../broker/broker.service.js';
import { describeError, LabError } from '../common/lab-error.js';
import type { InstrumentSpec, LabSpec } from '../protocol/lab.schema.js';
import type { DriverFiles } from './instrument-driver.port.js';

export function labFiles(labPath: string | undefined, dataDir: string): DriverFiles {
  const base = labPath ? dirname(resolve(labPath)) : process.cwd();
  return { dataDir, labPath: (p) => (isAbsolute(p) ? p : resolve(base, p)) };
}

/** The first line of a password file. */
export function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LabError('FILE_NOT_FOUND', `${what}: cannot read ${path} (${describeError(e)})`);
  }
  return text.split(/\r?\n/, 1)[0] ?? '';
}

/** The endpoint of the lab's broker called `name` ("default": the daemon's own). */
export function brokerEndpoint(
  lab: LabSpec,
  name: string,
  daemonBroker: BrokerEndpoint,
  files: DriverFiles,
  defaultPrefix: string,
): BrokerEndpoint {
  if (name === 'default') return daemonBroker;
  const b = lab.brokers[name];
  if (!b) throw new LabError('NOT_FOUND', `lab ${lab.name} has no broker ${name}`);
  const where = `lab ${lab.name}, brokers.${name}`;
  return {
    url: b.url,
    username: b.username,
    password: b.passwordFile
      ? readSecretFile(files.labPath(b.passwordFile), `${where}.passwordFile`)
      : b.password,
    topicPrefix: b.topicPrefix ?? defaultPrefix,
    embedded: false,
    tls:
      b.tls &&
      readTls({
        ca: b.tls.ca && files.labPath(b.tls.ca),
        cert: b.tls.cert && files.labPath(b.tls.cert),
        key: b.tls.key && files.labPath(b.tls.key),
        rejectUnauthorized: b.tls.rejectUnauthorized,
      }),
  };
}

/** The login an MQTT instrument's lab entry gives it, if any (user name defaults to the instrument id). */
export function instrumentLogin(id: string, spec: InstrumentSpec, files: DriverFiles): Login | undefined {
  if (spec.driver !== 'mqtt' || !spec.credentials) return undefined;
  const c = spec.credentials;
  const password = c.passwordFile
    ? readSecretFile(files.labPath(c.passwordFile), `instrument ${id}: credentials.passwordFile`)
    : c.password;
  if (password === undefined) return undefined;
  return { username: c.username ?? id, password };
}
