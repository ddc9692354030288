import { VarError } from '../models/vars.ts';

/** Parses repeated `--var name=value` arguments; values that read as booleans or numbers become those. */
export function parseVars(pairs: string[] | undefined): Record<string, string | number | boolean> {
  const vars: Record<string, string | number | boolean> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new VarError([
        {
          name: pair,
          source: '--var',
          message: `expected name=value, e.g. --var lifecycle_active_days=45 (variables: sql/vars.yml)`,
        },
      ]);
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    vars[name] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
  }
  return vars;
}
