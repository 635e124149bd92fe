/**
 * Real-time housekeeping of the SQLite file (the only kind of job @nestjs/schedule runs): a WAL checkpoint every
 * ten minutes keeps the -wal file from growing without bound on a daemon that runs for months.
 */
import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { describeError } from '../common/lab-error.js';
import { nativeDatabase } from './sqlite-connection.js';

export const CHECKPOINT_EVERY_MS = 10 * 60_000;

@Injectable()
export class StoreHousekeeping {
  private readonly logger = new Logger('store');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Copies committed pages back into the database file and truncates the WAL; returns the pages checkpointed. */
  @Interval(CHECKPOINT_EVERY_MS)
  checkpoint(): number {
    try {
      const [row] = nativeDatabase(this.dataSource).pragma('wal_checkpoint(TRUNCATE)') as {
        busy: number;
        checkpointed: number;
      }[];
      return row?.checkpointed ?? 0;
    } catch (e) {
      this.logger.warn(`WAL checkpoint skipped: ${describeError(e)}`);
      return -1;
    }
  }
}
