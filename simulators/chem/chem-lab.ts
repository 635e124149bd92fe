/**
 * The simulated chemistry lab: the SnAr flow rig — three syringe pumps (DFNB 2.0 M, pyrrolidine 4.2 M, ethanol
 * make-up, as in Summit's model), a 5 mL heated coil reactor, an inline HPLC — each its own OPC UA server (LADS-shaped)
 * on its own port, sharing one flow path. Summit's model needs the make-up stream: with two pumps only, inlet
 * concentration and equivalents are tied together and the published bounds cannot all be reached.
 */
import type { Clock } from '../../src/common/clock.js';
import { faultsOf } from '../common/fault-script.loader.js';
import { CHEM_INSTRUMENTS, type ChemInstrumentDef } from './chem-instruments.js';
import type { FaultScript } from '../common/fault-script.schema.js';
import { InstrumentFaults } from '../common/instrument-faults.js';
import { FlowPath } from './flow-path.model.js';
import { CallGate } from './opcua/call-gate.js';
import { hplcDevice, pumpDevice, reactorDevice, type DeviceContext } from './opcua/chem-devices.js';
import { LadsServer } from './opcua/lads-server.js';
import type { LadsUnit } from './opcua/lads-unit.js';
import type { SnarVariant } from './snar.model.js';
import { SyringePump } from './syringe-pump.model.js';

export interface ChemLabOptions {
  clock: Clock;
  seed: number;
  /** Folder for the servers' certificates, shared by them (never ~/.config); kept, it saves regenerating keys. */
  pkiDir: string;
  host?: string;
  /** Port per instrument id; 0 takes a free one; missing: the default port. */
  ports?: Record<string, number>;
  /** Only these instruments (default: all). */
  only?: readonly string[];
  variant?: SnarVariant;
  /** Reactor volume, mL (Summit: 5). */
  reactorVolumeMl?: number;
  faults?: FaultScript;
  onExecute?: (instrument: string, commandId: string, action: string) => void;
}

export interface ChemInstrument {
  def: ChemInstrumentDef;
  server: LadsServer;
  unit: LadsUnit;
  faults: InstrumentFaults;
}

export class ChemLab {
  private constructor(
    readonly path: FlowPath,
    readonly instruments: ChemInstrument[],
    readonly pumps: Map<string, SyringePump>,
  ) {}

  static async start(o: ChemLabOptions): Promise<ChemLab> {
    const path = new FlowPath({
      volumeMl: o.reactorVolumeMl ?? 5,
      tauMs: 3 * 60_000,
      variant: o.variant ?? 'current',
      now: o.clock.now(),
    });
    const pumps = new Map<string, SyringePump>();
    const started: ChemInstrument[] = [];
    const lab = new ChemLab(path, started, pumps);
    try {
      for (const def of CHEM_INSTRUMENTS) {
        if (o.only && !o.only.includes(def.id)) continue;
        started.push(await startInstrument(def, o, path, pumps, lab));
      }
    } catch (e) {
      await lab.stop();
      throw e;
    }
    return lab;
  }

  /** Endpoint URL per instrument id. */
  get endpoints(): Record<string, string> {
    return Object.fromEntries(this.instruments.map((i) => [i.def.id, i.server.endpointUrl]));
  }

  instrument(id: string): ChemInstrument {
    const i = this.instruments.find((x) => x.def.id === id);
    if (!i) throw new Error(`no chemistry instrument ${id}`);
    return i;
  }

  /** A clog somewhere in the line raises the resistance and trips running pumps. */
  applyClog(clogged: boolean): void {
    this.path.clogFactor = clogged ? 40 : 1;
    for (const p of this.pumps.values()) p.checkPressure();
  }

  async stop(): Promise<void> {
    for (const p of this.pumps.values()) p.close();
    for (const i of this.instruments.splice(0)) {
      i.faults.detach();
      await i.server.shutdown();
    }
  }
}

async function startInstrument(
  def: ChemInstrumentDef,
  o: ChemLabOptions,
  path: FlowPath,
  pumps: Map<string, SyringePump>,
  lab: ChemLab,
): Promise<ChemInstrument> {
  const server = await LadsServer.create({
    port: o.ports?.[def.id] ?? def.defaultPort,
    host: o.host,
    pkiDir: o.pkiDir,
    device: def.device,
    model: def.model,
    serialNumber: `SIM-${def.id}`,
  });
  const faults = new InstrumentFaults({
    instrument: def.id,
    specs: faultsOf(o.faults, def.id),
    clock: o.clock,
    seed: o.faults?.seed ?? 1,
  });
  const gate = new CallGate(
    o.clock,
    faults,
    o.onExecute ? (id, action) => o.onExecute?.(def.id, id, action) : undefined,
  );
  const ctx: DeviceContext = { server, clock: o.clock, gate, seed: o.seed, path };
  let unit: LadsUnit;
  if (def.kind === 'pump') {
    let pumpUnit: LadsUnit | undefined;
    const pump = new SyringePump(
      {
        id: def.id,
        stock: def.stock ?? { a: 0, b: 0 },
        onStateChange: () => pumpUnit?.refreshControl('FlowRate', pump.state === 'running'),
      },
      path,
      o.clock,
    );
    pumps.set(def.id, pump);
    unit = pumpUnit = pumpDevice(ctx, pump);
  } else if (def.kind === 'reactor') {
    unit = reactorDevice(ctx);
  } else {
    unit = hplcDevice(ctx);
  }
  faults.attach({
    offline: () => void server.goOffline(),
    online: () => void server.comeBack(),
    changed: () => {
      const c = faults.condition();
      if (def.kind === 'pump') lab.applyClog(c?.state === 'error');
    },
  });
  await server.start();
  return { def, server, unit, faults };
}
