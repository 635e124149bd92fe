import { statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerCredentials } from './broker-credentials.js';

describe('generated broker logins', () => {
  it('are created once, kept private, and the same after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labloop-creds-'));
    try {
      const first = BrokerCredentials.open(dir);
      const reader = first.instrument('reader');
      expect(reader.username).toBe('reader');
      expect(reader.password.length).toBeGreaterThanOrEqual(20);
      expect(statSync(first.file).mode & 0o777).toBe(0o600);
      const again = BrokerCredentials.open(dir);
      expect(again.daemon).toEqual(first.daemon);
      expect(again.instrument('reader')).toEqual(reader);
      expect(again.instrument('pump').password).not.toBe(reader.password);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
