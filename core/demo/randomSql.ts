import { quoteText, type Database } from '../db/duckdb.ts';

/**
 * Deterministic pseudo-randomness for set-based SQL. Every random draw is a pure function of
 * (seed, entity key, salt), so a build is reproducible regardless of DuckDB's thread scheduling, and
 * no draw depends on row order. Salts are short literals that name the decision they feed.
 */

/** SQL literal for a scalar that goes into a lookup table. */
function sqlScalar(value: string | number | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(6);
  return quoteText(value);
}

/**
 * Temp macros shared by the generator modules:
 * - `u(k, salt)` / `u2(a, b, salt)`: uniform [0, 1) from 53 bits of DuckDB's hash. Never feed a
 *   multi-argument hash() straight into a draw: DuckDB combines argument hashes with a multiply-xor,
 *   so draws with different salts for the same key would be xor-related and strongly correlated.
 * - `ts(s)`: epoch seconds to TIMESTAMP (kept as integers until the final insert, which keeps
 *   arithmetic cheap and exact).
 */
export async function createRandomMacros(db: Database, seed: number): Promise<void> {
  const s = `${Math.trunc(seed)}::BIGINT`;
  // hash(seed, salt) is constant per call site and folded by the optimizer, so a draw costs two
  // 64-bit murmur hashes; the outer hash re-mixes so draws with different salts are independent.
  await db.run(
    `create or replace temp macro u(k, salt) as
       ((hash(xor(hash(k::BIGINT), hash(${s}, salt))) >> 11)::DOUBLE / 9007199254740992.0)`,
  );
  await db.run(
    `create or replace temp macro u2(a, b, salt) as
       ((hash(xor(hash(xor(hash(a::BIGINT), hash(${s}, salt))), b::BIGINT::UBIGINT)) >> 11)::DOUBLE / 9007199254740992.0)`,
  );
  await db.run(`create or replace temp macro ts(sec) as make_timestamp((sec)::BIGINT * 1000000)`);
  // A bijection on [0, 10^digits) (odd multiplier coprime to 10) turns a unique key into a unique,
  // random-looking number: tracking numbers and order ids never collide and need no dedupe pass.
  await db.run(
    `create or replace temp macro scramble(k, digits, offset_) as
       ((k::BIGINT * 2654435761 + offset_::BIGINT) % (10::BIGINT ** digits)::BIGINT)`,
  );
}

/** The macros live in the connection's temp schema; drop them so they do not outlive the build. */
export async function dropRandomMacros(db: Database): Promise<void> {
  for (const name of ['u', 'u2', 'ts', 'scramble']) await db.run(`drop macro if exists temp.${name}`);
}

export type WeightedItem<V> = readonly [V, number];

/**
 * A CASE expression choosing one of a few SQL expressions by cumulative weight. `uExpr` must be a
 * column (not a u() call), so the draw is evaluated once per row.
 */
export function weightedCase(uExpr: string, items: readonly WeightedItem<string>[]): string {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let acc = 0;
  const branches = items.slice(0, -1).map(([value, w]) => {
    acc += w / total;
    return `when ${uExpr} < ${acc.toFixed(6)} then ${value}`;
  });
  const last = items[items.length - 1];
  if (!last) throw new Error('weightedCase needs at least one item');
  return `(case ${branches.join(' ')} else ${last[0]} end)`;
}

export interface SlotRow {
  weight: number;
  values: Record<string, string | number | null>;
}

export const SLOTS = 1024;

/**
 * A temp lookup table `name(group_key, slot, ...columns)` where each group's 1024 slots are shared out
 * by weight. Picking `slot = floor(u * 1024)` through an equality join is several times faster in
 * DuckDB than indexing a large constant list per row, and long lists (names, cities) stay data.
 * Only the weighted rows travel as SQL text; the slots are expanded by DuckDB.
 */
export async function createSlotTable(
  db: Database,
  name: string,
  groups: ReadonlyMap<string, readonly SlotRow[]> | readonly SlotRow[],
): Promise<void> {
  const grouped: [string, readonly SlotRow[]][] = Array.isArray(groups)
    ? [['', groups as readonly SlotRow[]]]
    : [...(groups as ReadonlyMap<string, readonly SlotRow[]>).entries()];
  const first = grouped[0]?.[1][0];
  if (!first) throw new Error(`slot table ${name} needs rows`);
  const columns = Object.keys(first.values);
  const tuples: string[] = [];
  for (const [group, rows] of grouped) {
    const total = rows.reduce((sum, r) => sum + r.weight, 0);
    let acc = 0;
    let from = 0;
    rows.forEach((row, i) => {
      acc += row.weight;
      const to = i === rows.length - 1 ? SLOTS : Math.round((acc / total) * SLOTS);
      if (to > from) {
        const values = columns.map((c) => sqlScalar(row.values[c] ?? null)).join(', ');
        tuples.push(`(${quoteText(group)}, ${from}, ${to}, ${values})`);
      }
      from = to;
    });
  }
  await db.run(
    `create or replace temp table ${name} as
     select group_key, unnest(range(slot_from, slot_to))::INTEGER as slot, ${columns.join(', ')}
     from (values ${tuples.join(',\n')}) t(group_key, slot_from, slot_to, ${columns.join(', ')})`,
  );
}

/** SQL for the slot drawn by a uniform column. */
export function slotOf(uExpr: string): string {
  return `least(${SLOTS - 1}, floor(${uExpr} * ${SLOTS})::INTEGER)`;
}
