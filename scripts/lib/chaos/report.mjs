// The chaos run's figures as Markdown tables: printed, and kept as the "Last run" section of
// docs/chaos.md (everything above that heading is the hand-written explanation).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { say } from '../log.mjs';
import { repoRoot } from '../paths.mjs';

const DOC = join(repoRoot, 'docs', 'chaos.md');
const HEADING = '## Last run';

/** @param {string[]} head @param {(string | number)[][]} rows */
function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** @param {any} r */
export function renderReport(r) {
  const out = [];
  const s = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;
  out.push(`${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${r.options.operations} operations, ${r.options.concurrency} workers, seed ${r.options.seed}; workload ${s(r.workMs)}, wall time ${s(r.wallMs)} (bootstrap excluded).`);
  const kinds = [...r.tally.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const total = kinds.reduce((acc, [, t]) => ({ a: acc.a + t.accepted, r: acc.r + [...t.refused.values()].reduce((x, y) => x + y, 0) }), { a: 0, r: 0 });
  out.push('\n### Operations\n');
  out.push(table(['kind', 'accepted', 'refused', 'refusals'], [
    ...kinds.map(([k, t]) => [k, t.accepted, [...t.refused.values()].reduce((x, y) => x + y, 0), [...t.refused.entries()].map(([why, n]) => `${why} ×${n}`).join(', ') || '—']),
    ['**total**', total.a, total.r, ''],
  ]));
  out.push('\n### Disruptions\n');
  out.push(table(['what', 'at operation', 'ready again after'], r.disruptions.map((d) => [d.what, d.atOperation, s(d.readyMs)])));
  out.push(`\nFirst start, process start to ready: ${Object.entries(r.readyMs).map(([k, v]) => `${k} ${s(/** @type {number} */ (v))}`).join(', ')}. Unexpected exits: ${r.crashes.length ? r.crashes.join('; ') : 'none'}.`);
  out.push('\n### Events and effects\n');
  const sumLost = r.effects.checks.reduce((a, c) => a + c.lost, 0);
  const sumDup = r.effects.checks.reduce((a, c) => a + c.duplicated, 0);
  out.push(table(['check', 'expected', 'found', 'lost', 'duplicated'], r.effects.checks.map((c) => [c.check, c.expected, c.found, c.lost, c.duplicated])));
  out.push(`\nEvents in the outboxes: ${r.effects.events}; inbox rows: ${r.effects.inboxRows}; lost ${sumLost}, duplicated ${sumDup}.`);
  out.push('\n### Accepted requests re-read\n');
  out.push(table(['result', 'checked', 'missing'], r.durable.results.map((d) => [d.kind, d.checked, d.missing])));
  if (r.durable.problems.length) out.push(`\n${r.durable.problems.slice(0, 30).map((p) => `- ${p}`).join('\n')}`);
  out.push('\n### Refused without a clear answer, applied anyway\n');
  out.push('A 5xx or no answer says nothing about the outcome; these requests took effect although the client was told they failed.\n');
  out.push(table(['kind', 'refused (5xx or no answer)', 'applied'], r.durable.applied.map((x) => [x.kind, x.refused, x.applied])));
  out.push('\n### Sagas\n');
  out.push(table(['saga', 'count'], Object.entries(r.effects.sagas).map(([k, v]) => [k, v])));
  out.push('\n### Dead letters\n');
  out.push(r.deadLetters.length ? table(['dlq', 'original topic', 'type', 'reason'], r.deadLetters.map((d) => [d.topic, d.originalTopic, d.type, d.error.replaceAll('|', '\\|')])) : 'none');
  out.push('\n### Self-check: injected faults (rolled back)\n');
  out.push(table(['fault', 'seen by the checks', 'detail'], r.selfChecked.map((f) => [f.what, f.seen === null ? 'not injected' : f.seen ? 'yes' : '**NO**', f.detail])));
  if (r.notQuiet.length) out.push(`\nNot settled after 5 minutes: ${r.notQuiet.join('; ')}`);
  return out.join('\n');
}

/** Replaces the Last run section of docs/chaos.md. @param {string} text @param {boolean} failed */
export function writeReport(text, failed) {
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Chaos run\n';
  const head = doc.includes(HEADING) ? doc.slice(0, doc.indexOf(HEADING)) : `${doc.trimEnd()}\n\n`;
  writeFileSync(DOC, `${head}${HEADING}\n\n${failed ? '**FAILED** — ' : 'Passed — '}${text}\n`);
  say('chaos', `figures written to docs/chaos.md`);
}
