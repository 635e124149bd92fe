/** Protocol and campaign files: the ones shipped in protocols/, and validation of posted YAML (located problems). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ReadOnlyCall } from '../access/access.decorators.js';
import { LabError } from '../common/lab-error.js';
import { packageRoot } from '../common/package-root.js';
import { readFileText } from '../protocol/document.loader.js';
import { openApiSchema, parseBody } from './request-body.js';
import { validatePosted, type ValidationResult } from './posted-documents.js';

export const validateBody = z.strictObject({
  text: z.string().min(1).describe('A lab or campaign file (YAML)'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe("Where the file is on the daemon's disk (anchors a campaign's lab:)"),
  lab: z
    .string()
    .min(1)
    .optional()
    .describe('For a campaign: the lab YAML, instead of the file its lab: names'),
});

export interface ShippedFile extends ValidationResult {
  file: string;
  description: string | null;
}

function shippedDir(): string {
  return join(packageRoot(), 'protocols');
}

@ApiTags('protocols')
@Controller('api/protocols')
export class ProtocolsController {
  @Get()
  @ApiOperation({ summary: 'The protocol and campaign files shipped with labloop, each validated' })
  list(): ShippedFile[] {
    return readdirSync(shippedDir())
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map((f) => this.describe(f));
  }

  @Get(':file')
  @ApiOperation({ summary: 'One shipped file: its text and validation' })
  one(@Param('file') file: string): ShippedFile & { text: string } {
    if (!/^[A-Za-z0-9._-]+\.ya?ml$/.test(file) || !readdirSync(shippedDir()).includes(file))
      throw new LabError('NOT_FOUND', `no shipped protocol ${file}`, 'file');
    return { ...this.describe(file), text: readFileText(join(shippedDir(), file)) };
  }

  @Post('validate')
  @HttpCode(200)
  @ReadOnlyCall()
  @ApiOperation({
    summary: 'Validate a posted lab or campaign; problems come back located (file:line:col: path)',
  })
  @ApiBody({ schema: openApiSchema(validateBody) })
  validate(@Body() body: unknown): ValidationResult {
    const b = parseBody(validateBody, body);
    return validatePosted({ text: b.text, path: b.path, lab: b.lab });
  }

  private describe(file: string): ShippedFile {
    const path = join(shippedDir(), file);
    const text = readFileText(path);
    const result = validatePosted({ text, path });
    const description = /^description:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? null;
    return { file, description, ...result };
  }
}
