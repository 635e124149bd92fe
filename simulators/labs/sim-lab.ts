/**
 * A whole simulated lab, started on its own (what `labloop sim chem | bio | all` runs): the bio instruments on an
 * MQTT broker (an embedded one, or a given URL), the chemistry instruments as OPC UA servers, all on one clock, with
 * optional faults and an audit of every command executed. Knows its endpoints and writes the matching lab file.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EmbeddedBroker } from '../../src/broker/embedded-broker.js';
import type { Clock } from '../../src/common/clock.js';
import { bioInstruments } from '../bio/bio-lab.js';
import { CHEM_INSTRUMENTS } from '../chem/chem-instruments.js';
import { ChemLab } from '../chem/chem-lab.js';
import type { SnarVariant } from '../chem/snar.model.js';
import { faultsOf } from '../common/fault-script.loader.js';
import type { FaultScript } from '../common/fault-script.schema.js';
import { InstrumentFaults } from '../common/instrument-faults.js';
import { MqttSimInstrument } from '../common/mqtt-sim-instrument.js';
import { DEFAULT_SIM_MQTT_PORT, simLabFile, type SimLabKind } from './sim-lab-file.js';

export type { SimLabKind };

export interface SimLabOptions {
  kind: SimLabKind;
  clock: Clock;
  seed: number;
  host: string;
  /** Free ports instead of the fixed defaults. */
  autoPorts: boolean;
  /** An external broker; otherwise an embedded one on `mqttPort`. */
  mqttUrl?: string;
  mqttPort?: number;
  topicPrefix?: string;
  pkiDir: string;
  variant?: SnarVariant;
  faults?: FaultScript;
  /** File to append `time instrument command-id action` to for every command executed. */
  auditFile?: string;
}

export class SimLab {
  private constructor(
    private readonly o: SimLabOptions,
    readonly mqttUrl: string | undefined,
    private readonly broker: EmbeddedBroker | undefined,
    private readonly mqttSims: MqttSimInstrument[],
    readonly chem: ChemLab | undefined,
  ) {}

  static async start(o: SimLabOptions): Promise<SimLab> {
    const audit = o.auditFile ? auditWriter(o.auditFile, o.clock) : undefined;
    let broker: EmbeddedBroker | undefined;
    const mqttSims: MqttSimInstrument[] = [];
    let chem: ChemLab | undefined;
    let mqttUrl: string | undefined;
    try {
      if (o.kind !== 'chem') {
        if (!o.mqttUrl)
          broker = await EmbeddedBroker.start({
            host: o.host,
            port: o.autoPorts ? 0 : (o.mqttPort ?? DEFAULT_SIM_MQTT_PORT),
          });
        mqttUrl = o.mqttUrl ?? broker?.url;
        for (const inst of bioInstruments({ seed: o.seed })) {
          const specs = faultsOf(o.faults, inst.id);
          const sim = new MqttSimInstrument({
            id: inst.id,
            url: mqttUrl as string,
            model: inst.model,
            clock: o.clock,
            seed: inst.seed,
            topicPrefix: o.topicPrefix ?? 'labloop',
            faults: new InstrumentFaults({
              instrument: inst.id,
              specs,
              clock: o.clock,
              seed: o.faults?.seed ?? 1,
            }),
            onExecute: audit ? (id, action) => audit(inst.id, id, action) : undefined,
          });
          await sim.start();
          mqttSims.push(sim);
        }
      }
      if (o.kind !== 'bio') {
        chem = await ChemLab.start({
          clock: o.clock,
          seed: o.seed,
          pkiDir: o.pkiDir,
          host: o.host,
          ports: o.autoPorts ? Object.fromEntries(CHEM_INSTRUMENTS.map((d) => [d.id, 0])) : undefined,
          variant: o.variant,
          faults: o.faults,
          onExecute: audit,
        });
      }
    } catch (e) {
      for (const s of mqttSims) await s.stop();
      await chem?.stop();
      await broker?.close();
      throw e;
    }
    return new SimLab(o, mqttUrl, broker, mqttSims, chem);
  }

  /** Every endpoint, one URL each: the broker first, then the OPC UA servers. */
  get endpoints(): string[] {
    return [...(this.mqttUrl ? [this.mqttUrl] : []), ...Object.values(this.chem?.endpoints ?? {})];
  }

  /** The lab file that matches this running lab. */
  labFile(): string {
    return simLabFile({
      kind: this.o.kind,
      seed: this.o.seed,
      mqttUrl: this.mqttUrl,
      topicPrefix: this.o.topicPrefix,
      chemEndpoints: this.chem?.endpoints,
    });
  }

  async stop(): Promise<void> {
    for (const s of this.mqttSims.splice(0)) await s.stop();
    await this.chem?.stop();
    await this.broker?.close();
  }
}

/** Appends one line per executed command, synchronously: a crash loses nothing already executed. */
function auditWriter(file: string, clock: Clock): (instrument: string, id: string, action: string) => void {
  mkdirSync(dirname(file), { recursive: true });
  return (instrument, id, action) =>
    appendFileSync(file, `${new Date(clock.now()).toISOString()} ${instrument} ${id} ${action}\n`);
}
