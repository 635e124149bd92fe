/**
 * `labloop sim` as a user runs it: a separate process printing its endpoints, writing the matching lab file and an
 * audit of executed commands. A daemon (`labloop run`) drives the bio lab through it on a shared scaled clock; a
 * node-opcua client drives the chemistry lab and reads an HPLC chromatogram (Double arrays, which node-opcua can only
 * serve outside Jest's VM context).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadLabFile } from '../../src/protocol/document.loader.js';
import { campaignVariant } from '../helpers/campaign-variant.js';
import { labloop, type LabloopProcess } from '../helpers/labloop-process.js';
import { startSim } from '../helpers/sim-process.js';
import { openSession } from '../helpers/opcua-session.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

async function stop(p: LabloopProcess): Promise<number | null> {
  p.child.kill('SIGTERM');
  return (await p.exited).code;
}

describe('labloop sim', () => {
  it('runs the bio lab on a free port; a daemon on the same scaled clock runs a campaign against it', async () => {
    const dir = tempDir();
    const sim = startSim('bio', dir.path, { timeScale: 300 });
    const { labFile, audit } = sim;
    // The shipped enzyme campaign with a budget of 2 (about 75 min of lab time, 15 s of wall time at 300×) and the
    // random strategy (no model fitting between experiments while lab time runs).
    const campaign = campaignVariant('protocols/bio/enzyme-assay.yaml', dir.path, {
      experiments: 2,
      lab: labFile,
      strategy: { name: 'random', seed: 1 },
    });
    try {
      const [url] = await sim.endpoints(1);
      expect(url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
      const anchor = await sim.clockAnchor();
      const lab = loadLabFile(labFile);
      expect(lab.spec.brokers['sim']?.url).toBe(url);
      expect(Object.keys(lab.spec.instruments)).toEqual(['lh', 'incubator', 'reader']);

      const run = labloop(
        [
          'run',
          campaign,
          '--data-dir',
          join(dir.path, 'run'),
          '--json',
          '--time-scale',
          '300',
          '--clock-anchor',
          anchor,
        ],
        // Lab-time timeouts shrink 300-fold in real time: give a loaded CI machine room.
        { LABLOOP_INSTRUMENTS__REPLYTIMEOUT: '20 min', LABLOOP_INSTRUMENTS__DISPATCHWINDOW: '60 min' },
      );
      const { code } = await run.exited;
      expect({ code, stderr: code === 0 ? '' : run.stderr() }).toEqual({ code: 0, stderr: '' });
      const outcome = JSON.parse(run.stdout()) as { status: string; experiments: { completed: number } };
      expect(outcome).toMatchObject({ status: 'completed', experiments: { completed: 2 } });
      // Every command the daemon sent ran exactly once: a new plate, and 4 transfers and a read per replicate.
      const ids = readFileSync(audit, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[2]);
      expect(ids).toHaveLength(2 * (1 + 3 * 5));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      expect(await stop(sim)).toBe(0);
      dir.cleanup();
    }
  }, 240_000);

  it('runs the chemistry lab as five OPC UA servers; an HPLC run returns its chromatogram', async () => {
    const dir = tempDir();
    const sim = startSim('chem', dir.path, { timeScale: 300 });
    const { labFile, audit } = sim;
    const taskId = randomUUID();
    try {
      const urls = await sim.endpoints(5);
      expect(urls.every((u) => /^opc\.tcp:\/\/127\.0\.0\.1:\d+$/.test(u))).toBe(true);
      expect(readFileSync(labFile, 'utf8')).toContain(`endpoint: ${urls[4]}`);
      const hplc = await openSession(urls[4]!, dir.path);
      try {
        const unit = 'InlineHPLC/FunctionalUnitSet/HPLC';
        const run = await hplc.startProgram(unit, 'Analyze', 'e2e', taskId);
        expect(run.status.name).toBe('Good');
        // About 8 min of lab time: under 2 s of wall time at 300×.
        await waitFor(
          'the analysis to finish',
          async () =>
            JSON.stringify((await hplc.read(`${unit}/FunctionalUnitState/CurrentState`)).value).includes(
              'Stopped',
            ),
          60_000,
          100,
        );
        const result = `${unit}/ProgramManager/ResultSet/${run.runId}/VariableSet`;
        const signal = (await hplc.read(`${result}/Signal`)).value as Float64Array;
        const names = (await hplc.read(`${result}/PeakNames`)).value as string[];
        expect(signal.length).toBe(961);
        expect(names).toEqual(['DFNB', 'ortho', 'para', 'bis']);
        // Nothing was pumped: the coil holds solvent, every peak is baseline.
        const areas = (await hplc.read(`${result}/PeakAreas`)).value as Float64Array;
        expect(Math.max(...areas)).toBeLessThan(1);
      } finally {
        await hplc.close();
      }
      expect(existsSync(audit)).toBe(true);
      expect(readFileSync(audit, 'utf8')).toContain(` hplc ${taskId} analyze`);
    } finally {
      expect(await stop(sim)).toBe(0);
      dir.cleanup();
    }
  }, 240_000);
});
