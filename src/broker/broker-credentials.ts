/**
 * Logins for the embedded broker, generated once and kept in `<dataDir>/mqtt/credentials.json` (mode 0600): the
 * daemon's own, and one per instrument that the lab file gives no credentials. `npm start` needs no setup; an
 * operator connecting a real instrument to the embedded broker reads its password from this file (or gives the
 * instrument `credentials` in the lab file).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeError, LabError } from '../common/lab-error.js';

export interface Login {
  username: string;
  password: string;
}

interface StoredCredentials {
  daemon: Login;
  instruments: Record<string, Login>;
}

export const DAEMON_USERNAME = 'labloop';

export class BrokerCredentials {
  private constructor(
    readonly file: string,
    private readonly data: StoredCredentials,
  ) {}

  /** Opens (or creates) the store under `dataDir`. */
  static open(dataDir: string): BrokerCredentials {
    const file = join(dataDir, 'mqtt', 'credentials.json');
    if (!existsSync(file)) {
      const store = new BrokerCredentials(file, {
        daemon: { username: DAEMON_USERNAME, password: secret() },
        instruments: {},
      });
      store.save();
      return store;
    }
    let data: StoredCredentials;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials;
    } catch (e) {
      throw new LabError('CONFIG_INVALID', `${file}: not readable JSON (${describeError(e)})`);
    }
    if (typeof data.daemon?.password !== 'string' || typeof data.instruments !== 'object')
      throw new LabError(
        'CONFIG_INVALID',
        `${file}: expected { daemon, instruments }; delete it to regenerate`,
      );
    return new BrokerCredentials(file, data);
  }

  get daemon(): Login {
    return this.data.daemon;
  }

  /** Every instrument login generated so far, by instrument id. */
  get instruments(): Readonly<Record<string, Login>> {
    return this.data.instruments;
  }

  /** The generated login of an instrument (user name: its id), created on first use. */
  instrument(id: string): Login {
    let login = this.data.instruments[id];
    if (!login) {
      login = { username: id, password: secret() };
      this.data.instruments[id] = login;
      this.save();
    }
    return login;
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}

function secret(): string {
  return randomBytes(18).toString('base64url');
}
