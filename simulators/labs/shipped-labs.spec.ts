import { readFileSync } from 'node:fs';
import { loadLabFile } from '../../src/protocol/document.loader.js';
import { shippedLabFiles } from './shipped-labs.js';

describe('shipped simulated-lab files', () => {
  it.each(shippedLabFiles().map((f) => [f.path, f.text]))(
    '%s is what labloop sim writes for its default ports',
    (path, text) => {
      // If this fails after changing a simulator: npm run build && node dist/simulators/labs/write-shipped-labs.js
      expect(readFileSync(path, 'utf8')).toBe(text);
    },
  );

  it('the bio lab validates against the lab schema as shipped', () => {
    const lab = loadLabFile('config/labs/sim-bio.yaml');
    expect(Object.keys(lab.spec.instruments)).toEqual(['lh', 'incubator', 'reader']);
    expect(lab.spec.brokers['sim']?.url).toBe('mqtt://127.0.0.1:1884');
    expect(lab.spec.instruments['lh']?.limits['transfer.volume']).toEqual({ min: 0.5, max: 300, unit: 'uL' });
  });
});
