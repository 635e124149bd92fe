/** The store on a real SQLite file: migrations, pragmas, the append-only log, atomic journal writes. */
import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SystemClock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import type { LabEvent } from '../../src/events/event-map.js';
import { ENTITIES } from '../../src/store/entities/index.js';
import { Journal } from '../../src/store/journal.service.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { StoreHousekeeping } from '../../src/store/store-housekeeping.service.js';
import { applyPragmas, checkPragmas, isWritable, nativeDatabase } from '../../src/store/sqlite-connection.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('store (SQLite file, migrations, journal)', () => {
  const dir = tempDir();
  let ds: DataSource;
  let journal: Journal;
  let records: RecordsRepository;
  let bus: EventBus;

  beforeAll(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: join(dir.path, 'labloop.sqlite'),
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsRun: true,
      prepareDatabase: applyPragmas,
    });
    await ds.initialize();
    const clock = new SystemClock();
    bus = new EventBus(clock);
    journal = new Journal(ds, bus, clock);
    records = new RecordsRepository(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    dir.cleanup();
  });

  it('runs in WAL mode with synchronous=FULL, foreign keys and a busy timeout', () => {
    expect(() => checkPragmas(nativeDatabase(ds))).not.toThrow();
    expect(isWritable(nativeDatabase(ds))).toBe(true);
  });

  it('writes a campaign, an experiment and a command, and publishes their events only after the commit', () => {
    const seen: LabEvent[] = [];
    const off = bus.onAny((e) => seen.push(e));
    const c = journal.write((tx) => {
      const spec = tx.putDocument('campaign', 'c.yaml', 'kind: campaign');
      const lab = tx.putDocument('lab', 'l.yaml', 'kind: lab');
      const created = tx.createCampaign({
        name: 'c',
        specHash: spec,
        labHash: lab,
        specFile: 'c.yaml',
        labFile: 'l.yaml',
        seed: 1,
      });
      expect(seen).toEqual([]);
      return created;
    });
    expect(seen.map((e) => e.type)).toEqual(['campaign.created']);
    journal.write((tx) => tx.setCampaignStatus(c.id, 'running'));
    const e = journal.write((tx) => tx.createExperiment(c.id, 1, 's1', { t: 30 }));
    journal.write((tx) => tx.setExperimentStatus(e.id, 'running'));
    const cmd = journal.write((tx) =>
      tx.createCommand({
        experimentId: e.id,
        step: 'read',
        attempt: 1,
        instrument: 'r',
        action: 'measure',
        params: { t: 30 },
        deadline: 1,
      }),
    );
    journal.write((tx) => tx.finishCommand(cmd, { status: 'done', result: { rate: 3 } }));
    expect(records.commands(e.id)).toMatchObject([
      { id: cmd.id, status: 'done', result: { rate: 3 }, sends: 1 },
    ]);
    expect(records.experimentCounts(c.id).running).toBe(1);
    off();
  });

  it('rolls a whole write back when any part of it fails (an illegal transition)', () => {
    const [c] = records.campaigns();
    const before = records.experiments(c!.id).length;
    expect(() =>
      journal.write((tx) => {
        tx.createExperiment(c!.id, 2, 's2', {});
        tx.setCampaignStatus(c!.id, 'draft');
      }),
    ).toThrow('a campaign cannot go from running to draft');
    expect(records.experiments(c!.id)).toHaveLength(before);
  });

  it('keeps the event log append-only', async () => {
    await expect(ds.query('UPDATE event SET type = ?', ['x'])).rejects.toThrow('append-only');
    await expect(ds.query('DELETE FROM event')).rejects.toThrow('append-only');
    const n = await ds.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM event');
    expect(n[0]!.n).toBeGreaterThan(3);
  });

  it('checkpoints the WAL on demand (the housekeeping job)', () => {
    expect(new StoreHousekeeping(ds).checkpoint()).toBeGreaterThanOrEqual(0);
  });

  it('refuses to finish a command twice', () => {
    const [c] = records.campaigns();
    const [e] = records.experiments(c!.id);
    const [cmd] = records.commands(e!.id);
    expect(() =>
      journal.write((tx) => tx.finishCommand(cmd!, { status: 'failed', error: { code: 'X', message: 'x' } })),
    ).toThrow('already finished');
  });
});
