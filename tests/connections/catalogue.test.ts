/**
 * The catalogue: every connection kind is one entry with a stable id, the rule that owns it (a
 * rule of the registry), and the pages it follows.
 */
import { CATALOGUE } from '../../macro/connections';
import { RULES } from '../../macro/rules';

describe('connection catalogue', () => {
  test('ids are unique and every kind names a registered rule and its sources', () => {
    const ids = CATALOGUE.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    const rules = new Set(RULES.map((r) => r.id));
    for (const kind of CATALOGUE) {
      expect(rules.has(kind.rule)).toBe(true);
      expect(kind.references.length).toBeGreaterThan(0);
      expect(kind.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});
