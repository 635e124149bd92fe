/**
 * `labloop sim bio | chem` as a child process, as a user runs it: free ports, its lab file and command audit written
 * into a test folder, a scaled clock. Waits on what it prints: the endpoint lines (stdout) and the clock anchor.
 */
import { join } from 'node:path';
import { labloop, type LabloopProcess } from './labloop-process.js';
import { waitFor } from './wait-for.js';

export interface SimProcess extends LabloopProcess {
  /** The lab file it writes (`<dir>/lab.yaml`). */
  labFile: string;
  /** The audit of commands it executed (`<dir>/audit.log`). */
  audit: string;
  /** The first `n` endpoint URLs it prints, once printed. */
  endpoints(n: number): Promise<string[]>;
  /** The clock anchor it prints, to give a daemon on the same scaled clock. */
  clockAnchor(): Promise<string>;
}

export function startSim(
  kind: 'bio' | 'chem',
  dir: string,
  o: { timeScale: number | string; clockAnchor?: string },
): SimProcess {
  const labFile = join(dir, 'lab.yaml');
  const audit = join(dir, 'audit.log');
  const args = ['sim', kind, '--ports', 'auto', '--lab-out', labFile, '--audit', audit];
  if (kind === 'chem') args.push('--pki-dir', join(dir, 'pki'));
  args.push('--time-scale', String(o.timeScale));
  if (o.clockAnchor !== undefined) args.push('--clock-anchor', o.clockAnchor);
  const p = labloop(args);
  return {
    ...p,
    labFile,
    audit,
    endpoints: (n) =>
      waitFor(
        `${n} endpoint line(s) from labloop sim ${kind}`,
        () => {
          const lines = p.stdout().split('\n').filter(Boolean);
          return lines.length >= n ? lines.slice(0, n) : undefined;
        },
        // Loading the five LADS address spaces takes a while on a loaded machine.
        120_000,
        50,
      ),
    clockAnchor: () => waitFor('the clock anchor', () => /--clock-anchor (\S+)\)/.exec(p.stderr())?.[1]),
  };
}
