/**
 * The lab file of a simulated lab, from its endpoints: what `labloop sim --lab-out` writes and what config/labs/
 * sim-*.yaml ship for the default ports. No servers here (and no node-opcua), so writers and tests stay light.
 */
import { bioInstruments } from '../bio/bio-lab.js';
import { CHEM_INSTRUMENTS } from '../chem/chem-instruments.js';
import { labYaml, mqttLabObject } from './lab-file.writer.js';
import { opcuaInstruments } from './opcua-lab.writer.js';

export type SimLabKind = 'chem' | 'bio' | 'all';

export const DEFAULT_SIM_MQTT_PORT = 1884;

/** The lab file of a simulated lab with the given endpoints (also the shipped config/labs/sim-*.yaml). */
export function simLabFile(o: {
  kind: SimLabKind;
  seed: number;
  mqttUrl?: string;
  topicPrefix?: string;
  chemEndpoints?: Record<string, string>;
}): string {
  const instruments: Record<string, unknown> = {};
  let brokers: unknown;
  if (o.mqttUrl && o.kind !== 'chem') {
    const bio = mqttLabObject({
      name: 'sim',
      description: '',
      brokerUrl: o.mqttUrl,
      topicPrefix: o.topicPrefix,
      instruments: bioInstruments({ seed: o.seed }).map(({ simulator: _, ...rest }) => rest),
    });
    brokers = bio['brokers'];
    Object.assign(instruments, bio['instruments']);
  }
  if (o.chemEndpoints && o.kind !== 'bio')
    Object.assign(instruments, opcuaInstruments({ endpoints: o.chemEndpoints }));
  const what = o.kind === 'all' ? 'bio and chemistry labs' : `${o.kind === 'bio' ? 'bio' : 'chemistry'} lab`;
  const lab = {
    kind: 'lab',
    version: 1,
    name: `sim-${o.kind}`,
    description: `The simulated ${what} of labloop sim`,
    ...(brokers ? { brokers } : {}),
    instruments,
  };
  return labYaml(
    [
      'yaml-language-server: $schema=../../protocols/schema.json',
      `The lab \`labloop sim ${o.kind}\` runs (seed ${o.seed}); written by it with --lab-out, hard limits from the`,
      "instruments' own ranges. Narrow them for your work.",
      ...(o.kind !== 'bio'
        ? [
            'OPC UA servers: security mode None on the loopback, as a simulator; a real lab trusts its servers.',
          ]
        : []),
    ],
    lab,
  );
}

/** Endpoints of `labloop sim` on its fixed default ports. */
export function defaultSimEndpoints(host = '127.0.0.1'): {
  mqttUrl: string;
  chemEndpoints: Record<string, string>;
} {
  return {
    mqttUrl: `mqtt://${host}:${DEFAULT_SIM_MQTT_PORT}`,
    chemEndpoints: Object.fromEntries(
      CHEM_INSTRUMENTS.map((d) => [d.id, `opc.tcp://${host}:${d.defaultPort}`]),
    ),
  };
}
