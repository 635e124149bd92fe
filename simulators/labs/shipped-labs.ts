/**
 * The lab files generated from the simulators: for `labloop sim` on its default ports, config/labs/sim-bio.yaml and
 * config/labs/sim-chem.yaml; and test/fixtures/sim-bio-inprocess.yaml, the bio lab with `simulator:` blocks so that a daemon runs it
 * in its own process (on its own broker and clock, virtual included). A test keeps them equal to what the code
 * writes; `node dist/simulators/labs/write-shipped-labs.js` rewrites them.
 */
import { bioInstruments } from '../bio/bio-lab.js';
import { labYaml, mqttLabObject } from './lab-file.writer.js';
import { defaultSimEndpoints, simLabFile } from './sim-lab-file.js';

export function shippedLabFiles(): { path: string; text: string }[] {
  const { mqttUrl, chemEndpoints } = defaultSimEndpoints();
  return [
    { path: 'config/labs/sim-bio.yaml', text: simLabFile({ kind: 'bio', seed: 1, mqttUrl }) },
    { path: 'config/labs/sim-chem.yaml', text: simLabFile({ kind: 'chem', seed: 1, chemEndpoints }) },
    {
      path: 'test/fixtures/sim-bio-inprocess.yaml',
      text: labYaml(
        [
          'yaml-language-server: $schema=../../protocols/schema.json',
          'The simulated bio lab started inside the daemon (simulator: blocks), on its own broker and clock.',
        ],
        mqttLabObject({
          name: 'sim-bio-inprocess',
          description: 'The simulated bio lab, run by the daemon itself',
          instruments: bioInstruments({ seed: 1 }),
        }),
      ),
    },
  ];
}
