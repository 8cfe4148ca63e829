#!/usr/bin/env node
/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self
 * time, and the Lathe functions with the most total (inclusive) time.
 *
 *   node bench/profile-summary.mjs /tmp/prof/CPU.*.cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.mjs FILE.cpuprofile [top]\n');
  process.exit(2);
}
const TOP = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the sample deltas.
const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const label = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm:').replace(/.*\/packages\//, '');
  return `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim();
};

const self = new Map();
const inclusive = new Map();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  const key = label(n.callFrame);
  self.set(key, (self.get(key) ?? 0) + us);
  // Inclusive: credit each distinct function once per sample stack.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = label(byId.get(cur).callFrame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nTop self time:\n`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`  ${pct(us)}  ${k}\n`);
process.stdout.write('\nTop inclusive time (Lathe code and a few libraries):\n');
const interesting = (k) => /(server|contract|client|agent)\/(dist|src)\//.test(k) || /nm:(kysely|better-sqlite3|zod|fastify|find-my-way)/.test(k);
for (const [k, us] of [...inclusive].filter(([k]) => interesting(k)).sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`  ${pct(us)}  ${k}\n`);
