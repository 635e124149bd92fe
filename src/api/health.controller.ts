/**
 * GET /api/health: 200 whenever the daemon runs and the database takes writes, with each component's state in the
 * body (a broker or instrument that is down shows there); 503 only when the database is unusable.
 */
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { BrokerService } from '../broker/broker.service.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import { StoreHealth } from '../store/store.health.js';

@Controller('api/health')
export class HealthController {
  constructor(
    private readonly store: StoreHealth,
    private readonly broker: BrokerService,
    private readonly instruments: InstrumentRegistry,
  ) {}

  @Get()
  health(@Res() res: Response): void {
    const database = this.store.writable() ? 'up' : 'down';
    const links = this.instruments.brokerLinks();
    const brokerUp = links.length === 0 ? true : links.every((l) => l.connected);
    const instruments = Object.fromEntries(
      this.instruments.list().map((i) => {
        const s = i.driver.status();
        return [
          i.id,
          {
            status: s.link && s.online ? 'up' : 'down',
            online: s.online,
            link: s.link,
            state: s.state ?? null,
          },
        ];
      }),
    );
    const allUp = database === 'up' && brokerUp && Object.values(instruments).every((i) => i.status === 'up');
    const body = {
      status: database === 'down' ? 'down' : allUp ? 'ok' : 'degraded',
      components: {
        database: { status: database, file: this.store.file() },
        broker: {
          status: brokerUp ? 'up' : 'down',
          url: this.broker.endpoint.url,
          embedded: this.broker.endpoint.embedded,
        },
        instruments,
      },
    };
    res.status(database === 'up' ? 200 : 503).json(body);
  }
}
