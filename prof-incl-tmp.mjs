import { readdirSync, readFileSync } from 'node:fs';
const dir = process.argv[2]; const f = readdirSync(dir).sort().pop();
const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const total = new Map(); const dt = p.timeDeltas; let i = 0;
for (const s of p.samples) { const seen = new Set(); let id = s; while (id !== undefined) { const n = byId.get(id); const k = n.callFrame.functionName; if (!seen.has(k)) { total.set(k, (total.get(k) ?? 0) + (dt[i] ?? 0)); seen.add(k); } id = parent.get(id); } i++; }
for (const k of process.argv.slice(3)) console.log(k, ((total.get(k) ?? 0) / 1000).toFixed(0), 'ms');
