import nunjucks from 'nunjucks';
import {
  DEFAULT_SOURCES,
  findRawTable,
  RAW_TABLES,
  rawSchemaName,
  salesChannelsOf,
  type RawTable,
  type SalesChannel,
} from '../sources/rawTables.ts';
import { withTimeZone, type Dialect } from './dialect/dialect.ts';
import { quoteIdent } from '../db/duckdb.ts';
import type { Vars } from './types.ts';
import { C360Error } from '../errors.ts';

export interface RenderContext {
  dialect: Dialect;
  vars: Vars;
  /** Reference time, `YYYY-MM-DD HH:MM:SS`. */
  asOf: string;
  /** Relation to use for a ref'd model in this build (the build table or the published one). */
  relationFor(name: string): string;
  /** The project's `macros/` folder: models import shared SQL with `{% from 'file.sql' import name %}`. */
  macrosDir?: string;
  /** The project's raw tables (default: the repository's sources). */
  rawTables?: RawTable[];
  /** The project's sales channels, for `sales_channels(kind)` (default: the repository's). */
  salesChannels?: SalesChannel[];
}

/** A model template that does not render; the model project has to change. */
export class TemplateError extends C360Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('CONFIG_INVALID', `${file}: ${message}`, { details: { file } });
    this.name = 'TemplateError';
  }
}

/** Renders a model template to SQL for one dialect. */
export function renderModel(file: string, template: string, ctx: RenderContext): string {
  const loader = ctx.macrosDir ? new nunjucks.FileSystemLoader(ctx.macrosDir, { noCache: true }) : null;
  const env = new nunjucks.Environment(loader, { autoescape: false, throwOnUndefined: true });
  env.addGlobal('ref', (name: string) => ctx.relationFor(name));
  env.addGlobal('source', (source: string, table: string) => {
    if (!findRawTable(source, table, ctx.rawTables ?? RAW_TABLES))
      throw new Error(`source('${source}', '${table}') is not a known raw table`);
    return `${rawSchemaName(source)}.${quoteIdent(table)}`;
  });
  // One entry per sales channel: `{% for c in sales_channels('orders') %} … {{ c.relation }}` unions them all.
  env.addGlobal('sales_channels', (kind: 'orders' | 'order_lines') =>
    (ctx.salesChannels ?? salesChannelsOf(DEFAULT_SOURCES)).map((channel) => ({
      channel: channel.channel,
      relation: ctx.relationFor(channel[kind]),
    })),
  );
  // ctx.vars holds every declared default (vars.yml) with the config and --var values over it, so a model
  // writes `var('name')` and the default lives in one place. An inline fallback only serves projects without
  // a vars.yml.
  env.addGlobal('var', (name: string, fallback?: unknown) => {
    if (name in ctx.vars) return ctx.vars[name];
    if (fallback === undefined) {
      throw new Error(
        `var('${name}') has no value: declare it with a default in vars.yml, or set it in c360.config.yaml (vars:) or with --var ${name}=…`,
      );
    }
    return fallback;
  });
  env.addGlobal('as_of', () => ctx.dialect.timestamp_literal(ctx.asOf));
  // Day counts and month buckets follow the shop's calendar (var shop_time_zone, default the dialect's zone).
  const dialect =
    ctx.vars.shop_time_zone === undefined
      ? ctx.dialect
      : withTimeZone(ctx.dialect, String(ctx.vars.shop_time_zone));
  // Every function of the dialect is a macro, so a macro added to Dialect is usable in templates at once.
  for (const [macro, fn] of Object.entries(dialect)) {
    if (typeof fn === 'function')
      env.addGlobal(macro, (...args: unknown[]) => (fn as (...a: unknown[]) => string)(...args));
  }
  try {
    return env.renderString(template, {});
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TemplateError(
      file,
      message
        .replace(/^\(unknown path\)\s*/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
}
