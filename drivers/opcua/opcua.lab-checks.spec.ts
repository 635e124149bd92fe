import { checkLab } from '../../src/protocol/lab.checks.js';
import { labSchema } from '../../src/protocol/lab.schema.js';
import { compileTemplate } from './opcua-template.js';

const lab = (entry: Record<string, unknown>) =>
  labSchema.safeParse({
    kind: 'lab',
    version: 1,
    name: 't',
    instruments: { reactor: { driver: 'opcua', endpoint: 'opc.tcp://10.0.0.5:4840', ...entry } },
  });

const findings = (entry: Record<string, unknown>): string[] => {
  const r = lab(entry);
  if (!r.success) return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return checkLab(r.data).map((f) => `${f.path.join('.')}: ${f.message}`);
};

const heat = {
  actions: { heat: { params: { t: { type: 'number' } }, result: { reached: { type: 'number' } } } },
  limits: { t: { min: 0, max: 100 } },
};

describe('OPC UA lab entries', () => {
  it('accepts a mapped action, its readings and a LADS program', () => {
    expect(
      findings({
        ...heat,
        actions: { ...heat.actions, measure: { params: { t: { type: 'number' } } } },
        namespaces: { sim: 'urn:sim' },
        readings: { temperature: { type: 'number' } },
        readingNodes: { temperature: 'ns=sim;s=T' },
        operations: {
          heat: {
            steps: [
              { write: { node: 'ns=sim;s=SP', value: '${params.t}' } },
              { call: { object: '/sim:Reactor', method: 'Start', args: ['${command.id}'] } },
              {
                wait: {
                  node: 'ns=sim;s=T',
                  near: '${params.t}',
                  tolerance: 0.5,
                  hold: '30 s',
                  timeout: '10 min',
                },
              },
              { read: { node: 'ns=sim;s=T', into: 'reached' } },
            ],
          },
        },
        lads: {
          functionalUnit: '/DeviceSet/R/FunctionalUnitSet/U',
          programs: { measure: { template: 'K', properties: { t: '${params.t}' } } },
        },
      }),
    ).toEqual([]);
  });

  it('reports unmapped, doubly mapped and unknown actions, results nobody produces, bad references and aliases', () => {
    expect(
      findings({
        ...heat,
        actions: { ...heat.actions, idle: { params: {} } },
        operations: {
          heat: { steps: [{ write: { node: 'ns=nope;s=SP', value: '${params.temp}' } }] },
          fly: { steps: [{ read: { node: 'i=1', into: 'x' } }] },
        },
        lads: { functionalUnit: '/U', programs: { heat: { template: 'K' } } },
      }),
    ).toEqual([
      'instruments.reactor.operations.heat: mapped twice: also a LADS program',
      'instruments.reactor.actions.idle: not mapped: add it under operations (OPC UA steps) or lads.programs',
      'instruments.reactor.operations.heat.steps.0: cannot resolve ${params.temp}: expected params.<one of t>, command.id or experiment.id',
      'instruments.reactor.operations.heat.steps.0: unknown namespace alias "nope": add it under namespaces',
      'instruments.reactor.actions.heat.result.reached: no operation produces it: add a read (into) or a call output',
      'instruments.reactor.operations.fly: no action "fly" in actions',
    ]);
  });

  it('validates waits and security', () => {
    expect(
      findings({ ...heat, operations: { heat: { steps: [{ wait: { node: 'i=1', timeout: '1 s' } }] } } }),
    ).toEqual(['instruments.reactor.operations.heat.steps.0.wait: expected either equals or near']);
    expect(findings({ ...heat, security: { mode: 'None', policy: 'Basic256Sha256' } })).toContain(
      'instruments.reactor.security: mode None takes no security policy',
    );
  });
});

describe('OPC UA mapping values', () => {
  const ctx = { params: { t: 40, name: 'A1' }, commandId: 'c1', experimentId: 'e1' };
  it('keeps the type of a whole expression and makes text of a mixed one', () => {
    expect(compileTemplate('${params.t * 2 + 1}').evaluate(ctx)).toBe(81);
    expect(compileTemplate('${params.t}').param).toBe('t');
    expect(compileTemplate('run ${command.id} for ${experiment.id}: ${params.name}').evaluate(ctx)).toBe(
      'run c1 for e1: A1',
    );
    expect(compileTemplate(3).evaluate(ctx)).toBe(3);
  });
});
