/**
 * What the HTTP server needs beyond the modules: the OpenAPI document and its page at /api/docs (served by
 * @nestjs/swagger from node_modules, no CDN), behind the same read policy as every other read, and a body limit.
 * Called by `labloop start` and the test harness after the app is created and before it listens.
 */
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AccessPolicy } from '../access/access.policy.js';
import { LabError } from '../common/lab-error.js';
import { packageVersion } from '../common/package-root.js';
import { httpStatusOf } from './lab-error.filter.js';

export const DOCS_PATH = 'api/docs';
/** Posted campaign and lab files are small; anything bigger is a mistake or an attack. */
const BODY_LIMIT = '2mb';

export function configureHttpApp(app: INestApplication): void {
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  app.use(json({ limit: BODY_LIMIT }));
  const policy = app.get(AccessPolicy);
  app.use(`/${DOCS_PATH}`, (req: Request, res: Response, next: NextFunction) => {
    try {
      policy.authorize(req, { write: false, scope: 'read' });
      next();
    } catch (e) {
      const err = e instanceof LabError ? e : new LabError('UNAUTHORIZED', 'not allowed');
      res
        .status(httpStatusOf(err))
        .json({ error: { code: err.code, message: err.message, field: err.field ?? null } });
    }
  });
  const config = new DocumentBuilder()
    .setTitle('labloop')
    .setDescription(
      'Control daemon for self-driving labs. Reads are open on loopback unless auth.read is token; every call that ' +
        'changes state needs `Authorization: Bearer <token>` (labloop token create). Errors are ' +
        '`{"error":{"code","message","field"}}`.',
    )
    .setVersion(packageVersion())
    .addBearerAuth()
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml`,
    customSiteTitle: 'labloop API',
  });
}
