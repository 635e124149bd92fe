/**
 * The dashboard, served by the daemon itself (labs are often offline: no CDN). Its files live in web/ and the
 * charting library comes from node_modules; only the files listed here are served.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LabError } from '../common/lab-error.js';
import { packageRoot } from '../common/package-root.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

function chartJsFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

@ApiExcludeController()
@Controller()
export class DashboardController {
  private readonly files: Record<string, string>;
  private readonly cache = new Map<string, Buffer>();

  constructor() {
    const web = join(packageRoot(), 'web');
    this.files = {
      'index.html': join(web, 'index.html'),
      'app.js': join(web, 'app.js'),
      'charts.js': join(web, 'charts.js'),
      'views.js': join(web, 'views.js'),
      'style.css': join(web, 'style.css'),
      'favicon.svg': join(web, 'favicon.svg'),
      'chart.umd.min.js': chartJsFile(),
    };
  }

  @Get()
  index(@Res() res: Response): void {
    this.send('index.html', res);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    this.send(file, res);
  }

  private send(file: string, res: Response): void {
    const path = this.files[file];
    if (!path || !existsSync(path)) throw new LabError('NOT_FOUND', `no dashboard file ${file}`, 'file');
    let body = this.cache.get(file);
    if (!body) {
      body = readFileSync(path);
      this.cache.set(file, body);
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res
      .type(TYPES[ext] ?? 'application/octet-stream')
      .set({
        'Cache-Control': file === 'index.html' ? 'no-cache' : 'public, max-age=300',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy':
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      })
      .send(body);
  }
}
