import { PassThrough } from 'node:stream';
import type { EventBus } from '../events/event-bus.service.js';
import type { EventMap } from '../events/event-map.js';
import type { ManualSteps } from '../execution/manual-steps.service.js';
import { promptOperator } from './operator-prompt.js';

function fakeBus() {
  const listeners: ((d: EventMap['step.manual']) => void)[] = [];
  const bus = {
    on: (_: string, fn: (d: EventMap['step.manual']) => void) => {
      listeners.push(fn);
      return () => listeners.splice(listeners.indexOf(fn), 1);
    },
  } as unknown as EventBus;
  const emit = (key: string, prompt: string): void =>
    listeners.forEach((l) => l({ campaignId: 'c', experimentId: 'e', key, prompt }));
  return { bus, emit };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('operator prompt (labloop run)', () => {
  it('asks one manual step at a time on a terminal and journals each answer', async () => {
    const { bus, emit } = fakeBus();
    const answers: unknown[] = [];
    const manual = { confirm: (...a: unknown[]) => answers.push(a) } as unknown as ManualSteps;
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (b: Buffer) => (shown += b.toString()));
    const stop = promptOperator(bus, manual, { input, output });
    emit('load', 'Load the plate');
    emit('seal', 'Seal the plate');
    await tick();
    expect(shown).toContain('operator: Load the plate');
    expect(shown).not.toContain('Seal the plate');
    input.write('\n');
    await tick();
    expect(shown).toContain('operator: Seal the plate');
    input.write('no out of seals\n');
    await tick();
    expect(answers).toEqual([
      ['e', 'load', { ok: true, by: 'terminal' }],
      ['e', 'seal', { ok: false, by: 'terminal', note: 'out of seals' }],
    ]);
    stop();
  });

  it('without a terminal, says what it waits for and how to answer', () => {
    const { bus, emit } = fakeBus();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (b: Buffer) => (shown += b.toString()));
    const stop = promptOperator(bus, {} as ManualSteps, { input: new PassThrough(), output });
    emit('load', 'Load the plate');
    expect(shown).toMatch(/operator needed: Load the plate \(experiment e, step load\); no terminal/);
    stop();
  });
});
