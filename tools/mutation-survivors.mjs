// Lists every surviving and uncovered mutant of StrykerJS JSON reports (file:line:column, mutator, replacement, the
// source line) after a per-file score table, as Markdown. Usage: node tools/mutation-survivors.mjs REPORT.json...
// (later reports replace earlier ones file by file, so a re-run of some files can be layered over a full run).
import { readFileSync } from 'node:fs';

const files = {};
for (const path of process.argv.slice(2)) Object.assign(files, JSON.parse(readFileSync(path, 'utf8')).files);
const rows = [];
const listed = [];
const total = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
/** Killed + timed out over every valid mutant (survived and uncovered count against it), as "12.3%". */
const score = (c) => `${((100 * (c.killed + c.timeout)) / Math.max(1, c.killed + c.timeout + c.survived + c.noCoverage)).toFixed(1)}%`;
for (const [file, report] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
  const count = (status) => report.mutants.filter((m) => m.status === status).length;
  const c = { killed: count('Killed'), timeout: count('Timeout'), survived: count('Survived'), noCoverage: count('NoCoverage') };
  for (const k of Object.keys(total)) total[k] += c[k];
  rows.push(`| ${file} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${score(c)} |`);
  const lines = report.source.split('\n');
  for (const m of report.mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
    const { line, column } = m.location.start;
    const code = lines[line - 1].trim().replace(/\|/g, '\\|').slice(0, 100);
    listed.push(`| ${file}:${line}:${column} | ${m.status === 'Survived' ? 'survived' : 'no coverage'} | ${m.mutatorName} | \`${String(m.replacement ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 50)}\` | \`${code}\` |`);
  }
}
console.log('| file | killed | timeout | survived | no coverage | score |\n|---|---:|---:|---:|---:|---:|');
console.log(rows.join('\n'));
console.log(`| **all** | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | **${score(total)}** |`);
console.log('\n| where | status | mutator | replacement | line |\n|---|---|---|---|---|');
console.log(listed.join('\n'));
