import { readdirSync, readFileSync } from 'node:fs';
const dir = process.argv[2]; const f = readdirSync(dir).sort().pop();
const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
const self = new Map(); const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = p.timeDeltas; let i = 0;
for (const s of p.samples) { const n = byId.get(s); const k = `${n.callFrame.functionName} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i++] ?? 0)); }
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${(v / 1000).toFixed(0)}ms ${k}`).join('\n'));
