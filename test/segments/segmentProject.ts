import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { runBuild, type Vars } from '../../core/models/index.ts';
import { segmentTables } from '../../core/segments/index.ts';

/**
 * A small project for the tests of the build's segment tables (materialise, size history): one model,
 * dim_customers, whose winback flag reads the variable winback_early_days (vars.yml, default 60), and the
 * saved segment files the test gives. Each test gets a fresh folder and workspace database.
 */

/** The columns dim_customers has in every such project (the test's SQL selects them). */
const COLUMNS = ['customer_id', 'email', 'is_marketable', 'days_since_last_order', 'is_winback_candidate'];

function varsYml(varColumns: readonly string[]): string {
  return `vars:
  as_of:
    type: timestamp
    description: reference time
  winback_early_days:
    type: integer
    min: 1
    max: 3650
    default: 60
    description: Days since the last order from which a buyer is a winback candidate.
${varColumns.length ? `    columns: [${varColumns.join(', ')}]\n` : ''}`;
}

const DOCS = `version: 2
models:
  - name: dim_customers
    description: customers
    columns:
${COLUMNS.map((c) => `      - name: ${c}\n        description: a column\n`).join('')}`;

export interface SegmentProjectSpec {
  /** Prefix of the temporary folder. */
  prefix: string;
  /** The model's SQL; `{{ var('winback_early_days') }}` is the flag's threshold. */
  dimCustomers: string;
  /** Segment files by file name. */
  segments: Record<string, string>;
  /** Columns vars.yml declares winback_early_days for (the hard-coded value warning reads them). */
  varColumns?: string[];
}

export interface SegmentProject {
  dir: string;
  db: Database;
  project: string;
  segmentsDir: string;
  /** The model file, for a test that breaks it. */
  dimCustomersFile: string;
  /** Builds the project with as_of 2026-06-30 unless `vars` says otherwise; the segment tables come along. */
  build(vars?: Vars, configVars?: Vars): ReturnType<typeof runBuild>;
  close(): Promise<void>;
}

export async function createSegmentProject(spec: SegmentProjectSpec): Promise<SegmentProject> {
  const dir = await mkdtemp(join(tmpdir(), spec.prefix));
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  const project = join(dir, 'project');
  const segmentsDir = join(dir, 'segments');
  const dimCustomersFile = join(project, 'models', 'marts', 'dim_customers.sql');
  await mkdir(join(project, 'models', 'marts'), { recursive: true });
  await mkdir(segmentsDir);
  await writeFile(join(project, 'vars.yml'), varsYml(spec.varColumns ?? []));
  await writeFile(dimCustomersFile, spec.dimCustomers);
  await writeFile(join(project, 'models', 'marts', '_marts.yml'), DOCS);
  for (const [file, text] of Object.entries(spec.segments)) await writeFile(join(segmentsDir, file), text);
  return {
    dir,
    db,
    project,
    segmentsDir,
    dimCustomersFile,
    build: (vars = {}, configVars = {}) =>
      runBuild(db, {
        projectDir: project,
        vars: { as_of: '2026-06-30', ...vars },
        configVars,
        derived: segmentTables({ segmentsDir, projectDir: project }),
      }),
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
