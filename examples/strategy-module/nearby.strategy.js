// A local search: perturb the best point observed so far (random points until there is one).
export default function createStrategy({ space, objectives, constraints, seed, options }) {
  const [objective, { goal }] = Object.entries(objectives)[0];
  const step = options.step ?? 0.1; // fraction of each parameter's range
  const told = new Set();
  let best; // { params, value }
  const propose = (k) => {
    // Randomness from (seed, k), so a strategy rebuilt after a restart proposes the same points.
    let s = (seed * 2654435761 + k * 40503 + 1) >>> 0;
    const r = () => (s = (Math.imul(s ^ (s >>> 15), 1 | s) + 0x6d2b79f5) >>> 0) / 2 ** 32;
    for (let attempt = 0; attempt < 1000; attempt++) {
      const params = {};
      for (const [name, p] of Object.entries(space)) {
        if (p.type === 'categorical')
          params[name] =
            best && r() < 0.8 ? best.params[name] : p.choices[Math.floor(r() * p.choices.length)];
        else {
          const v = best
            ? best.params[name] + (r() - 0.5) * 2 * step * (p.max - p.min)
            : p.min + r() * (p.max - p.min);
          params[name] = Math.min(p.max, Math.max(p.min, p.type === 'int' ? Math.round(v) : v));
        }
      }
      if (constraints.every((c) => c.holds(params))) return params;
    }
    throw new Error('no point found that satisfies the constraints');
  };
  return {
    async ask(count, pending) {
      const k = told.size + pending.filter((p) => !told.has(p.id)).length; // suggestions made so far
      return Array.from({ length: count }, (_, i) => ({ id: `s${k + i + 1}`, params: propose(k + i) }));
    },
    async tell(observations) {
      for (const o of observations) {
        told.add(o.suggestionId);
        const v = o.values?.[objective]?.mean;
        if (v !== undefined && (!best || (goal === 'maximize' ? v > best.value : v < best.value)))
          best = { params: o.params, value: v };
      }
    },
  };
}
