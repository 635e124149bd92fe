/**
 * The lab files shipped for `labloop sim` on its default ports: config/labs/sim-bio.yaml (valid today) and the
 * OPC UA draft simulators/drafts/config/labs/sim-chem.yaml (needs the OPC UA driver's lab schema). A test keeps them
 * equal to what `labloop sim --lab-out` writes; `node dist/simulators/labs/write-shipped-labs.js` rewrites them.
 */
import { defaultSimEndpoints, simLabFile } from './sim-lab.js';

export function shippedLabFiles(): { path: string; text: string }[] {
  const { mqttUrl, chemEndpoints } = defaultSimEndpoints();
  return [
    { path: 'config/labs/sim-bio.yaml', text: simLabFile({ kind: 'bio', seed: 1, mqttUrl }) },
    {
      path: 'simulators/drafts/config/labs/sim-chem.yaml',
      text: simLabFile({ kind: 'chem', seed: 1, chemEndpoints }).replace(
        '$schema=../../protocols/schema.json',
        '$schema=../../../../protocols/schema.json',
      ),
    },
  ];
}
