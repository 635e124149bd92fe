import { Schedule } from './schedule.js';

const at = (iso: string): number => Date.parse(iso);

describe('campaign schedule', () => {
  it('is always open without a schedule', () => {
    expect(new Schedule(undefined).at(at('2026-11-28T03:00:00Z'))).toEqual({ open: true });
  });

  it('opens weekdays 08:00–20:00 in its time zone and says when it opens next', () => {
    const s = new Schedule({
      timezone: 'Europe/Berlin',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' }],
      maintenance: [],
    });
    // Friday 2026-11-27 10:00 in Berlin (UTC+1) is 09:00Z: open.
    expect(s.at(at('2026-11-27T09:00:00Z')).open).toBe(true);
    // Friday 20:30 Berlin: closed until Monday 08:00 Berlin = 07:00Z.
    expect(s.at(at('2026-11-27T19:30:00Z'))).toEqual({
      open: false,
      reason: 'outside the run windows',
      next: at('2026-11-30T07:00:00Z'),
    });
  });

  it('runs a window past midnight when to is before from', () => {
    const s = new Schedule({
      timezone: 'UTC',
      windows: [{ days: ['mon'], from: '22:00', to: '06:00' }],
      maintenance: [],
    });
    expect(s.at(at('2026-11-30T23:00:00Z')).open).toBe(true); // Monday night
    expect(s.at(at('2026-12-01T05:59:00Z')).open).toBe(true); // into Tuesday
    expect(s.at(at('2026-12-01T06:00:00Z')).open).toBe(false);
  });

  it('closes for weekly and dated maintenance, with the reason', () => {
    const s = new Schedule({
      timezone: 'UTC',
      maintenance: [
        { days: ['sun'], from: '02:00', to: '04:00', reason: 'calibration' },
        { start: '2026-12-02T10:00', end: '2026-12-02T12:30', reason: 'service visit' },
      ],
    });
    expect(s.at(at('2026-11-29T03:00:00Z'))).toEqual({
      open: false,
      reason: 'maintenance: calibration',
      next: at('2026-11-29T04:00:00Z'),
    });
    expect(s.at(at('2026-12-02T11:00:00Z'))).toEqual({
      open: false,
      reason: 'maintenance: service visit',
      next: at('2026-12-02T12:30:00Z'),
    });
    expect(s.at(at('2026-12-02T12:30:00Z')).open).toBe(true);
  });

  it('reads dated blocks without an offset in its own time zone', () => {
    const s = new Schedule({
      timezone: 'America/New_York',
      maintenance: [{ start: '2026-12-02T10:00', end: '2026-12-02T11:00' }],
    });
    // 10:30 in New York (UTC-5) is 15:30Z.
    expect(s.at(at('2026-12-02T15:30:00Z')).open).toBe(false);
    expect(s.at(at('2026-12-02T10:30:00Z')).open).toBe(true);
  });
});
