/**
 * `labloop sim chem | bio | all`: a simulated lab on its own, on real sockets — the bio instruments on an MQTT
 * broker (embedded on port 1884 so it runs beside a daemon on 1883, or `--mqtt <url>`), the chemistry instruments as
 * OPC UA servers on ports 4841–4845 (`--ports auto`: free ports). Prints one endpoint URL per line on stdout, writes
 * the matching lab file (`--lab-out`), and runs until stopped. Everything else goes to stderr.
 *
 * Lab time across processes: with `--time-scale N` both this and the daemon must share the anchor (the wall-clock
 * instant at which lab time equals wall time). It is printed; pass it to the daemon as `--clock-anchor`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SystemClock } from '../common/clock.js';
import { LabError } from '../common/lab-error.js';
import { loadFaultScript, faultTargetsOf } from '../../simulators/common/fault-script.loader.js';
import { bioInstruments } from '../../simulators/bio/bio-lab.js';
import { chemFaultTargets } from '../../simulators/chem/chem-instruments.js';
import { routeOpcuaLogs } from '../../simulators/common/opcua-logs.js';
import { SimLab, type SimLabKind } from '../../simulators/labs/sim-lab.js';

export interface SimOptions {
  mqtt?: string;
  mqttPort?: number;
  host?: string;
  ports?: string;
  labOut?: string;
  timeScale?: number;
  clockAnchor?: string;
  seed?: number;
  faults?: string;
  audit?: string;
  variant?: string;
  pkiDir?: string;
}

const KINDS: readonly SimLabKind[] = ['chem', 'bio', 'all'];

export async function simCommand(kind: string, o: SimOptions): Promise<void> {
  if (!KINDS.includes(kind as SimLabKind))
    throw new LabError('DOCUMENT_INVALID', `labloop sim: expected chem, bio or all, got "${kind}"`);
  const lab = kind as SimLabKind;
  if (o.ports !== undefined && o.ports !== 'auto' && o.ports !== 'fixed')
    throw new LabError('DOCUMENT_INVALID', `--ports: expected auto or fixed, got "${o.ports}"`);
  if (o.variant !== undefined && o.variant !== 'current' && o.variant !== '2020')
    throw new LabError('DOCUMENT_INVALID', `--variant: expected current or 2020, got "${o.variant}"`);
  const scale = o.timeScale ?? 1;
  const anchor = o.clockAnchor ? Date.parse(o.clockAnchor) : Math.floor(Date.now() / 1000) * 1000;
  if (!Number.isFinite(anchor))
    throw new LabError('DOCUMENT_INVALID', `--clock-anchor: expected an ISO time, got "${o.clockAnchor}"`);
  const seed = o.seed ?? 1;
  const targets = {
    ...(lab !== 'chem' ? faultTargetsOf(bioInstruments({ seed })) : {}),
    ...(lab !== 'bio' ? chemFaultTargets() : {}),
  };
  const faults = o.faults ? loadFaultScript(o.faults, targets) : undefined;
  // node-opcua warns about the LADS nodeset itself at every start; errors still reach stderr.
  routeOpcuaLogs(undefined, (line) => process.stderr.write(`${line}\n`));
  const sim = await startLab({
    kind: lab,
    clock: new SystemClock(scale, anchor),
    seed,
    host: o.host ?? '127.0.0.1',
    autoPorts: o.ports === 'auto',
    mqttUrl: o.mqtt,
    mqttPort: o.mqttPort,
    pkiDir: resolve(o.pkiDir ?? 'data/sim-pki'),
    variant: o.variant,
    faults,
    auditFile: o.audit ? resolve(o.audit) : undefined,
  });
  const labOut = resolve(o.labOut ?? 'data/sim-lab.yaml');
  mkdirSync(dirname(labOut), { recursive: true });
  writeFileSync(labOut, sim.labFile());
  process.stdout.write(`${sim.endpoints.join('\n')}\n`);
  const clock =
    scale === 1
      ? 'clock: wall time'
      : `clock: lab time ${scale}× wall time from ${new Date(anchor).toISOString()} ` +
        `(daemon: --time-scale ${scale} --clock-anchor ${new Date(anchor).toISOString()})`;
  process.stderr.write(`labloop sim ${lab}: seed ${seed}; ${clock}\nlab file: ${labOut}\n`);
  if (faults) process.stderr.write(`faults: ${faults.name} (${faults.faults.length})\n`);
  await untilStopped();
  await sim.stop();
}

function untilStopped(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** A port already taken is the common failure: say so, and what to do. */
async function startLab(o: Parameters<typeof SimLab.start>[0]): Promise<SimLab> {
  try {
    return await SimLab.start(o);
  } catch (e) {
    const text = e instanceof Error ? `${e.message} ${String((e as NodeJS.ErrnoException).code)}` : String(e);
    if (text.includes('EADDRINUSE'))
      throw new LabError(
        'CONFLICT',
        `a port of the simulated lab is already in use (${text.trim()}); try --ports auto`,
      );
    throw e;
  }
}
