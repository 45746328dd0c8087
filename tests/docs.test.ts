import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES } from '../macro/rules';
import { renderRulesDoc, withReadmeTable } from '../scripts/rules-doc';

test('docs/rules.md is generated from the rules (run `npm run docs` after changing a rule)', () => {
  const committed = readFileSync(path.join(__dirname, '../docs/rules.md'), 'utf8');
  expect(committed).toBe(renderRulesDoc(RULES));
});

test('every rule states its id, title, rationale, references and the changes it may make', () => {
  for (const r of RULES) {
    expect(r.id).toMatch(/^[A-Z0-9]+-\d{3}$/);
    expect(r.title.length).toBeGreaterThan(10);
    expect(r.rationale.length).toBeGreaterThan(40);
    expect(r.references.length).toBeGreaterThan(0);
    // A rule that only reports (or fails) declares no changes, and its doc says so.
    expect(Array.isArray(r.changes)).toBe(true);
  }
  expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
});

test("the README's rule table is generated from the rules too (run `npm run docs`)", () => {
  const readme = readFileSync(path.join(__dirname, '../README.md'), 'utf8');
  expect(readme).toBe(withReadmeTable(readme, RULES));
  for (const r of RULES) expect(readme).toContain(`[${r.id}](docs/rules.md#${r.id.toLowerCase()})`);
});
