import { describe, expect, it } from 'vitest';
import {
  bigqueryDialect,
  buildGraph,
  DEFAULT_PROJECT_DIR,
  duckdbDialect,
  loadProject,
  renderModel,
} from '../../core/models/index.ts';
import { CODE_MODELS } from '../../core/models/codeModels.ts';
import { loadVarDeclarations, resolveVars } from '../../core/models/vars.ts';

const relationFor = (name: string): string => `\`shop.c360.${name}\``;

describe('dialect macros', () => {
  it('render day differences with each engine’s argument order', () => {
    const berlin = (x: string): string => `cast(timezone('Europe/Berlin', timezone('UTC', ${x})) as date)`;
    expect(duckdbDialect.days_between('a', 'b')).toBe(`date_diff('day', ${berlin('a')}, ${berlin('b')})`);
    expect(bigqueryDialect.days_between('a', 'b')).toBe(
      "date_diff(date(cast(b as timestamp), 'Europe/Berlin'), date(cast(a as timestamp), 'Europe/Berlin'), day)",
    );
  });

  it('escape quotes in literals they build', () => {
    expect(duckdbDialect.json_str('p', "it's")).toContain("'$.it''s'");
    expect(bigqueryDialect.json_str('p', "it's")).toContain("'$.it''s'");
    expect(bigqueryDialect.timestamp_literal("2026-01-01' or 1=1")).toBe("timestamp('2026-01-01'' or 1=1')");
  });

  it('build name keys from functions each engine has', () => {
    expect(duckdbDialect.name_key('n')).toContain('strip_accents(');
    expect(bigqueryDialect.name_key('n')).toContain('lower(normalize(n, NFC))');
    expect(bigqueryDialect.name_key('n')).toContain("r'\\p{M}'");
    expect(bigqueryDialect.name_key('n')).toContain("'ı', 'i'");
  });
});

describe('the shipped model project', () => {
  it('loads, resolves into a DAG and documents every model', async () => {
    const project = await loadProject(DEFAULT_PROJECT_DIR, CODE_MODELS);
    const graph = buildGraph(project);
    expect(graph.order.length).toBeGreaterThanOrEqual(30);
    const undocumented = [...project.nodes.values()].filter((n) => !n.documented).map((n) => n.name);
    expect(undocumented).toEqual([]);
    expect(project.warnings).toEqual([]);
  });

  it('renders every SQL model for BigQuery without DuckDB-only syntax', async () => {
    const project = await loadProject(DEFAULT_PROJECT_DIR, CODE_MODELS);
    for (const node of project.nodes.values()) {
      if (node.kind !== 'sql') continue;
      const sql = renderModel(node.file, node.sql ?? '', {
        dialect: bigqueryDialect,
        vars: resolveVars(await loadVarDeclarations(DEFAULT_PROJECT_DIR), []),
        asOf: '2026-06-30 00:00:00',
        relationFor,
        macrosDir: project.macrosDir,
      });
      const duckOnly = [
        /::/,
        /\btry_cast\b/,
        /\blist_slice\b/,
        /\bstring_split\b/,
        /\bbool_or\b/,
        /\bcount_if\b/,
        /\bjson_extract_string\b/,
        /\bilike\b/i,
        /\bstrip_accents\b/,
        /\bnfc_normalize\b/,
      ];
      const found = duckOnly.filter((pattern) => pattern.test(sql)).map(String);
      expect({ model: node.name, found }).toEqual({ model: node.name, found: [] });
      expect(sql).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('never reads the clock inside a model: every date is relative to as_of', async () => {
    const project = await loadProject(DEFAULT_PROJECT_DIR, CODE_MODELS);
    for (const node of project.nodes.values()) {
      if (node.kind !== 'sql') continue;
      expect({
        model: node.name,
        clock: /\b(now\(\)|current_date|current_timestamp|today\(\))/i.test(node.sql ?? ''),
      }).toEqual({
        model: node.name,
        clock: false,
      });
    }
  });
});
