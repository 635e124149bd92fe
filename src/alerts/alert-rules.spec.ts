import type { LabEvent } from '../events/event-map.js';
import { AlertRules } from './alert-rules.js';

const rules = () =>
  new AlertRules({ burstCount: 3, burstWindowMs: 60_000, campaignName: (id) => `name-${id}` });
const ev = <K extends LabEvent['type']>(type: K, data: LabEvent<K>['data'], ts = 0): LabEvent => ({
  type,
  ts,
  data,
});
const failed = (seq: number, ts: number) =>
  ev(
    'experiment.status',
    { campaignId: 'c', experimentId: `e${seq}`, seq, from: 'running', to: 'failed', reason: 'ABORTED' },
    ts,
  );

describe('alert rules', () => {
  it('alerts on a campaign held (critical) and completed (info), naming the campaign and the reason', () => {
    const r = rules();
    expect(
      r.consider(
        ev('campaign.status', { campaignId: 'c', from: 'running', to: 'held', reason: 'interlock' }),
      ),
    ).toMatchObject({
      kind: 'campaign.held',
      severity: 'critical',
      summary: 'Campaign name-c is held: interlock. It waits for a person to resume it.',
      campaignId: 'c',
    });
    expect(
      r.consider(ev('campaign.status', { campaignId: 'c', from: 'running', to: 'completed' })),
    ).toMatchObject({
      kind: 'campaign.completed',
      severity: 'info',
    });
    expect(
      r.consider(ev('campaign.status', { campaignId: 'c', from: 'running', to: 'paused' })),
    ).toBeUndefined();
  });

  it('alerts once when an online instrument drops, not at boot and not while it stays offline', () => {
    const r = rules();
    const st = (online: boolean) => ev('instrument.status', { instrument: 'pump', online });
    expect(r.consider(st(false))).toBeUndefined();
    expect(r.consider(st(true))).toBeUndefined();
    expect(r.consider(st(false))).toMatchObject({ kind: 'instrument.offline', instrument: 'pump' });
    expect(r.consider(st(false))).toBeUndefined();
    expect(r.consider(st(true))).toBeUndefined();
    expect(r.consider(st(false))).toMatchObject({ kind: 'instrument.offline' });
  });

  it('alerts once per burst of failures within the window, and forgets failures older than it', () => {
    const r = rules();
    expect(r.consider(failed(1, 0))).toBeUndefined();
    expect(r.consider(failed(2, 10_000))).toBeUndefined();
    expect(r.consider(failed(3, 70_000))).toBeUndefined(); // #1 and #2 are older than the window by now
    expect(r.consider(failed(4, 80_000))).toBeUndefined();
    expect(r.consider(failed(5, 85_000))).toMatchObject({
      kind: 'experiments.failed',
      details: { failures: 3, lastSeq: 5 },
    });
    expect(r.consider(failed(6, 86_000))).toBeUndefined();
    expect(r.consider(failed(7, 87_000))).toBeUndefined();
    expect(r.consider(failed(8, 88_000))).toMatchObject({ kind: 'experiments.failed' });
  });

  it('alerts on an interlock trip as critical', () => {
    expect(
      rules().consider(
        ev('interlock.tripped', { interlock: 'door', instrument: 'reactor', detail: 'door opened' }),
      ),
    ).toMatchObject({
      kind: 'interlock.tripped',
      severity: 'critical',
      summary: 'Interlock door tripped on reactor: door opened.',
    });
  });
});
