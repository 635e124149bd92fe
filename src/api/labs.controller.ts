/**
 * Labs, read side: every lab a campaign was created against (from the stored text, by hash) with its instruments,
 * their actions, readings and hard limits, and the live status of those the daemon has connected. Instrument
 * actions and abort live on /api/instruments.
 */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { LabError } from '../common/lab-error.js';
import type { InstrumentStatus } from '../lab/instrument-driver.port.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import { parseLab } from '../protocol/document.loader.js';
import type { InstrumentSpec } from '../protocol/lab.schema.js';
import { RecordsRepository } from '../store/records.repository.js';

export interface LabView {
  name: string;
  description: string | null;
  file: string;
  sha256: string;
  campaigns: string[];
  instruments: {
    id: string;
    driver: string;
    description: string | null;
    actions: InstrumentSpec['actions'];
    readings: InstrumentSpec['readings'];
    limits: InstrumentSpec['limits'];
    status: InstrumentStatus | null;
  }[];
}

@ApiTags('labs')
@Controller('api/labs')
export class LabsController {
  constructor(
    private readonly records: RecordsRepository,
    private readonly instruments: InstrumentRegistry,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Labs that campaigns ran on, newest version of each, with instrument status' })
  list(): LabView[] {
    const byName = new Map<string, LabView>();
    for (const c of this.records.campaigns()) {
      const text = this.records.document(c.labHash);
      if (text === undefined) continue;
      const lab = parseLab(c.labFile, text);
      const view = byName.get(lab.spec.name);
      if (view && view.sha256 === c.labHash) {
        view.campaigns.push(c.id);
        continue;
      }
      byName.set(lab.spec.name, {
        name: lab.spec.name,
        description: lab.spec.description ?? null,
        file: c.labFile,
        sha256: c.labHash,
        campaigns: [c.id],
        instruments: Object.entries(lab.spec.instruments).map(([id, spec]) => ({
          id,
          driver: spec.driver,
          description: spec.description ?? null,
          actions: spec.actions,
          readings: spec.readings,
          limits: spec.limits,
          status: this.instruments.get(id)?.driver.status() ?? null,
        })),
      });
    }
    return [...byName.values()];
  }

  @Get(':name')
  @ApiOperation({ summary: 'One lab by name' })
  one(@Param('name') name: string): LabView {
    const lab = this.list().find((l) => l.name === name);
    if (!lab) throw new LabError('NOT_FOUND', `no lab ${name}`, 'name');
    return lab;
  }
}
