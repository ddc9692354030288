/**
 * What the Overview and the Customers pages read (issue 15 §4): aggregates and bounded samples computed in
 * DuckDB over the tables every build keeps. The shapes are in schemas.ts (browser-safe).
 */
export { overview } from './overview.ts';
export { customerSearch } from './customerSearch.ts';
export { customerProfile, type ProfileOptions } from './customerProfile.ts';
export * from './schemas.ts';
