import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { definitionYaml } from '../../core/segments/yamlDocument.ts';

/** Writing a definition into the text it was opened from: the data is the definition, the comments stay. */

const FILE = `# Winback: customers who went quiet
name: winback
description: Lapsed buyers.
rules:
  # recency first
  - column: days_since_last_order
    op: ">="
    value: 60 # two months
  # the repeat buyers
  - column: total_orders
    op: ">="
    value: 2
  - column: is_vip # VIPs only
    op: "="
    value: true
properties: [winback_stage]
`;

const data = () => parse(FILE) as { rules: Record<string, unknown>[]; [key: string]: unknown };

describe('definitionYaml', () => {
  it('changes a value in place, keeping the comments, quoting and key order around it', () => {
    const definition = data();
    definition.rules[0]!.value = 90;
    const text = definitionYaml(definition, FILE);
    expect(text).toBe(FILE.replace('value: 60 # two months', 'value: 90 # two months'));
  });

  it('removes a rule with its own comment and leaves the comments of the others where they were', () => {
    const definition = data();
    definition.rules.splice(1, 1);
    const text = definitionYaml(definition, FILE);
    expect(parse(text)).toEqual(definition);
    expect(text).not.toContain('# the repeat buyers');
    expect(text).toContain('# recency first\n  - column: days_since_last_order');
    expect(text).toContain('- column: is_vip # VIPs only');
  });

  it('adds rules and keys, and drops keys the definition no longer has', () => {
    const definition = data();
    definition.rules.push({ any: [{ column: 'channels', op: 'contains', value: 'amazon' }], muted: true });
    delete definition.description;
    definition.holdout_percent = 10;
    const text = definitionYaml(definition, FILE);
    expect(parse(text)).toEqual(definition);
    expect(text).not.toContain('description');
    expect(text.startsWith('# Winback: customers who went quiet\n')).toBe(true);
  });

  it('quotes a text that would otherwise read as another type', () => {
    const definition = data();
    definition.rules[2]!.value = 'true';
    expect(parse(definitionYaml(definition, FILE))).toEqual(definition);
  });

  it('writes a fresh document when there is no text, or the text does not parse', () => {
    const definition = data();
    expect(parse(definitionYaml(definition))).toEqual(definition);
    expect(parse(definitionYaml(definition, 'rules: [\n'))).toEqual(definition);
  });
});
