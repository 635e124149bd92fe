/** A campaign handed on: CSV, JSON or an RO-Crate archive, and the methods-and-results report (HTML, Markdown). */
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { LabError } from '../common/lab-error.js';
import { CampaignDatasets } from '../reports/campaign-dataset.js';
import { buildReport, type CampaignReport } from '../reports/campaign-report.js';
import { roCrateZip } from '../reports/ro-crate.export.js';
import { toCsv, toJsonExport } from '../reports/table.export.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ro-crate'] as const;
export const REPORT_FORMATS = ['html', 'md', 'bundle'] as const;

function choose<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  field: string,
): T {
  const v = value ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new LabError(
      'REQUEST_INVALID',
      `${field}: expected one of ${allowed.join(', ')}, got "${v}"`,
      field,
    );
  return v as T;
}

function fileBase(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

@ApiTags('campaigns')
@Controller('api/campaigns')
export class CampaignExportController {
  constructor(private readonly datasets: CampaignDatasets) {}

  @Get(':id/export')
  @ApiOperation({
    summary: 'Export: csv (one row per experiment), json (everything), ro-crate (zip archive)',
  })
  @ApiQuery({ name: 'format', enum: EXPORT_FORMATS })
  export(@Param('id') id: string, @Query('format') format: string | undefined, @Res() res: Response): void {
    const f = choose(format, EXPORT_FORMATS, 'json', 'format');
    const d = this.datasets.load(id);
    const base = fileBase(d.campaign.name);
    if (f === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`${base}.csv`).send(toCsv(d));
    } else if (f === 'json') {
      res
        .type('application/json')
        .attachment(`${base}.json`)
        .send(`${JSON.stringify(toJsonExport(d), null, 2)}\n`);
    } else {
      const zip = roCrateZip(d, buildReport(d).html);
      res.type('application/zip').attachment(`${base}.crate.zip`).send(Buffer.from(zip));
    }
  }

  @Get(':id/report')
  @ApiOperation({
    summary: 'The campaign report: html (self-contained), md, or bundle (JSON with both and the figures)',
  })
  @ApiQuery({ name: 'format', enum: REPORT_FORMATS, required: false })
  report(@Param('id') id: string, @Query('format') format: string | undefined, @Res() res: Response): void {
    const f = choose(format, REPORT_FORMATS, 'html', 'format');
    const d = this.datasets.load(id);
    const r: CampaignReport = buildReport(d);
    if (f === 'html') res.type('text/html; charset=utf-8').send(r.html);
    else if (f === 'md') res.type('text/markdown; charset=utf-8').send(r.markdown);
    else
      res.json({
        name: d.campaign.name,
        title: r.title,
        html: r.html,
        markdown: r.markdown,
        figures: r.figures,
      });
  }
}
