import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labSchema } from '../protocol/lab.schema.js';
import { brokerEndpoint, instrumentLogin, labFiles } from './lab-files.js';

describe('what a lab file points at', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labloop-labfiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'daemon.pw'), 's3cret\nignored\n');
  writeFileSync(join(dir, 'scale.pw'), 'scale-pw\n');
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  const lab = labSchema.parse({
    kind: 'lab',
    version: 1,
    name: 'site',
    brokers: {
      site: {
        url: 'mqtts://broker.lab:8883',
        username: 'labloop',
        passwordFile: 'daemon.pw',
        topicPrefix: 'lab1',
        tls: { ca: 'ca.pem' },
      },
    },
    instruments: {
      scale: {
        driver: 'mqtt',
        broker: 'site',
        credentials: { passwordFile: 'scale.pw' },
        actions: { weigh: { params: {} } },
      },
    },
  });
  const files = labFiles(join(dir, 'site.yaml'), dir);
  const daemon = { url: 'mqtt://127.0.0.1:1883', topicPrefix: 'labloop', embedded: true };

  it('resolves a broker: password file and TLS material relative to the lab file', () => {
    expect(brokerEndpoint(lab, 'site', daemon, files, 'labloop')).toEqual({
      url: 'mqtts://broker.lab:8883',
      username: 'labloop',
      password: 's3cret',
      topicPrefix: 'lab1',
      embedded: false,
      tls: { ca: Buffer.from('CA'), cert: undefined, key: undefined, rejectUnauthorized: true },
    });
    expect(brokerEndpoint(lab, 'default', daemon, files, 'labloop')).toBe(daemon);
  });

  it('gives an instrument its own login, user name defaulting to its id', () => {
    expect(instrumentLogin('scale', lab.instruments['scale']!, files)).toEqual({
      username: 'scale',
      password: 'scale-pw',
    });
  });

  it('names the lab and key of a file it cannot read', () => {
    const broken = { ...lab, brokers: { site: { ...lab.brokers['site']!, passwordFile: 'missing.pw' } } };
    expect(() => brokerEndpoint(broken, 'site', daemon, files, 'labloop')).toThrow(
      /lab site, brokers\.site\.passwordFile: cannot read .*missing\.pw/,
    );
  });
});
