import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiInputError } from '../../core/api/procedure.ts';
import { EXIT } from '../../core/cli/common.ts';
import { QueryCancelledError, QueryTimeoutError, stoppedError } from '../../core/db/interrupt.ts';
import {
  C360Error,
  ERROR_CODE_NAMES,
  ERROR_CODES,
  exitCodeFor,
  httpStatusFor,
  isErrorCode,
  toC360Error,
} from '../../core/errors.ts';
import { ProjectError, TemplateError, VarError } from '../../core/models/index.ts';
import {
  CustomerNotFoundError,
  ExpertSqlError,
  MissingTableError,
  SegmentDefinitionError,
} from '../../core/segments/index.ts';
import { FileProblem } from '../../core/sources/stageFile.ts';
import { SyncCancelledError } from '../../core/sync/applyContext.ts';
import { PlanFileError, RunNotFoundError, StalePlanError, SyncConfigError } from '../../core/sync/index.ts';
import { KlaviyoApiError } from '../../core/sync/klaviyo/errors.ts';
import { ConfigError } from '../../core/workspace/config.ts';

describe('the error code table', () => {
  it('has the codes of the design with their exit codes and HTTP statuses', () => {
    const expected: Record<string, [number, number]> = {
      INVALID_INPUT: [2, 400],
      CONFIG_INVALID: [2, 400],
      NOT_FOUND: [2, 404],
      WORKSPACE_LOCKED: [3, 409],
      WORKSPACE_UNREACHABLE: [3, 503],
      QUERY_CANCELLED: [1, 409],
      QUERY_TIMEOUT: [1, 504],
      BUILD_FAILED: [1, 500],
      SYNC_BLOCKED: [2, 409],
      UNAUTHORIZED: [2, 401],
      INTERNAL: [1, 500],
    };
    for (const [code, [exit, http]] of Object.entries(expected))
      expect({ code, ...ERROR_CODES[code as keyof typeof ERROR_CODES] }).toMatchObject({ code, exit, http });
    for (const code of ERROR_CODE_NAMES) {
      const { exit, http, summary } = ERROR_CODES[code];
      expect([1, 2, 3]).toContain(exit);
      expect(http >= 400 && http <= 599).toBe(true);
      expect(summary.length).toBeGreaterThan(10);
    }
    expect(isErrorCode('WORKSPACE_LOCKED')).toBe(true);
    expect(isErrorCode('ENOENT')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('agrees with the outcome exit codes of the CLI', () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, blocked: 2, workspaceBusy: 3 });
    expect(EXIT.failed).toBe(ERROR_CODES.BUILD_FAILED.exit);
    expect(EXIT.usage).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(EXIT.usage).toBe(ERROR_CODES.CONFIG_INVALID.exit);
    expect(EXIT.blocked).toBe(ERROR_CODES.SYNC_BLOCKED.exit);
    expect(EXIT.workspaceBusy).toBe(ERROR_CODES.WORKSPACE_LOCKED.exit);
  });

  it('is browser-safe: errorCodes.ts imports nothing', async () => {
    const source = await readFile(join(import.meta.dirname, '..', '..', 'core', 'errorCodes.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\brequire\(|\bprocess\./);
  });
});

describe('the error classes', () => {
  const cases: [Error, string, string][] = [
    [new ConfigError('c360.config.yaml is not valid YAML'), 'ConfigError', 'CONFIG_INVALID'],
    [new ProjectError('The model project has problems:', ['x']), 'ProjectError', 'CONFIG_INVALID'],
    [new ProjectError('Unknown model in --select:', ['x'], 'INVALID_INPUT'), 'ProjectError', 'INVALID_INPUT'],
    [new VarError([{ name: 'a', source: '--var', message: 'no' }]), 'VarError', 'INVALID_INPUT'],
    [
      new VarError([{ name: 'a', source: 'c360.config.yaml vars:', message: 'no' }]),
      'VarError',
      'CONFIG_INVALID',
    ],
    [new TemplateError('a.sql', 'broken'), 'TemplateError', 'CONFIG_INVALID'],
    [
      new SegmentDefinitionError([{ path: 'rules', message: 'no' }]),
      'SegmentDefinitionError',
      'INVALID_INPUT',
    ],
    [new ExpertSqlError('not allowed'), 'ExpertSqlError', 'INVALID_INPUT'],
    [new CustomerNotFoundError('No customer'), 'CustomerNotFoundError', 'NOT_FOUND'],
    [new MissingTableError('Build first'), 'MissingTableError', 'NOT_BUILT'],
    [new ApiInputError('Invalid input'), 'ApiInputError', 'INVALID_INPUT'],
    [new FileProblem('no rows'), 'FileProblem', 'INVALID_INPUT'],
    [new QueryCancelledError('cancelled'), 'QueryCancelledError', 'QUERY_CANCELLED'],
    [new QueryTimeoutError(10, 'preview'), 'QueryTimeoutError', 'QUERY_TIMEOUT'],
    [new SyncConfigError('no model'), 'SyncConfigError', 'CONFIG_INVALID'],
    [new PlanFileError('not a plan'), 'PlanFileError', 'INVALID_INPUT'],
    [new RunNotFoundError('No sync run'), 'RunNotFoundError', 'NOT_FOUND'],
    [new StalePlanError('changed'), 'StalePlanError', 'SYNC_BLOCKED'],
    [new SyncCancelledError(), 'SyncCancelledError', 'CANCELLED'],
    [
      new KlaviyoApiError('Klaviyo answered 500', 'profiles', 500, 'error', true),
      'KlaviyoApiError',
      'UPSTREAM_FAILED',
    ],
  ];

  it.each(cases)('%s is a C360Error with its name and code', (error, name, code) => {
    expect(error).toBeInstanceOf(C360Error);
    expect(error.name).toBe(name);
    expect((error as C360Error).code).toBe(code);
    expect(exitCodeFor(error)).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].exit);
    expect(toC360Error(error)).toBe(error);
  });

  it('keeps the query errors apart: a timeout is also a cancellation, with its own code', () => {
    const timeout = new QueryTimeoutError(5, "preview of segment 'winback'");
    expect(timeout).toBeInstanceOf(QueryCancelledError);
    expect(timeout.message).toMatch(/^preview of segment 'winback': the query ran longer than the 5 s limit/);
    expect(httpStatusFor(timeout)).toBe(504);
    const controller = new AbortController();
    controller.abort(timeout);
    expect(stoppedError(controller.signal)).toBe(timeout);
    const plain = new AbortController();
    plain.abort();
    expect(stoppedError(plain.signal).code).toBe('QUERY_CANCELLED');
    expect(httpStatusFor(stoppedError(plain.signal))).toBe(409);
  });

  it('gives Klaviyo’s own code its own field and a hint for a refused key', () => {
    const error = new KlaviyoApiError(
      'Klaviyo answered 401',
      'profiles',
      401,
      'authentication_failed',
      false,
    );
    expect(error.klaviyoCode).toBe('authentication_failed');
    expect(error.hint).toMatch(/KLAVIYO_API_KEY/);
    expect(httpStatusFor(error)).toBe(502);
  });

  it('serialises code, message, hint and details, never the cause', () => {
    const cause = Object.assign(new Error('socket hang up'), {
      config: { headers: { Authorization: 'Klaviyo-API-Key pk_secret123456' } },
    });
    const error = new C360Error('UPSTREAM_FAILED', 'Klaviyo did not answer', {
      hint: 'try again',
      details: { endpoint: 'profiles' },
      cause,
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'UPSTREAM_FAILED',
      message: 'Klaviyo did not answer',
      hint: 'try again',
      details: { endpoint: 'profiles' },
    });
    expect(error.cause).toBe(cause);
  });
});

describe('toC360Error', () => {
  it('turns an unexpected error into INTERNAL without secrets, emails or the original’s fields', () => {
    const original = Object.assign(
      new Error(
        'Conversion Error: could not convert "jane.doe@example.com" near pk_abcdef1234567890 ' +
          'with Authorization: Bearer eyJhbGciOi.payload.sig at http://127.0.0.1:4300/?token=s3cr3tt0ken&x=1 using key my-own-secret-value',
      ),
      { config: { headers: { Authorization: 'Klaviyo-API-Key pk_abcdef1234567890' } } },
    );
    const error = toC360Error(original, { secrets: ['my-own-secret-value'] });
    expect(error.code).toBe('INTERNAL');
    expect(exitCodeFor(original)).toBe(1);
    expect(httpStatusFor(original)).toBe(500);
    const shown = `${error.message} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`;
    for (const secret of [
      'jane.doe@example.com',
      'pk_abcdef1234567890',
      'eyJhbGciOi',
      's3cr3tt0ken',
      'my-own-secret-value',
    ])
      expect(shown).not.toContain(secret);
    expect(error.message).toContain('Conversion Error: could not convert "[email]" near pk_[redacted]');
    expect(error.message).toContain('Bearer [redacted]');
    expect(error.message).toContain('?token=[redacted]&x=1');
    expect(error.cause).toBeUndefined();
  });

  it('keeps the code of an error from another process (an oRPC error of a routed call)', () => {
    const remote = Object.assign(new Error('The workspace /w is in use by the c360 desktop app'), {
      code: 'WORKSPACE_LOCKED',
      data: { hint: 'close the app' },
    });
    const error = toC360Error(remote);
    expect(error).toMatchObject({ code: 'WORKSPACE_LOCKED', hint: 'close the app' });
    expect(exitCodeFor(remote)).toBe(3);
  });

  it('turns a file permission error into FILE_ACCESS_DENIED naming the path', () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open '/w/segments/a.yaml'"), {
      code: 'EACCES',
      path: '/w/segments/a.yaml',
    });
    const error = toC360Error(denied);
    expect(error.code).toBe('FILE_ACCESS_DENIED');
    expect(error.hint).toContain('/w/segments/a.yaml');
    expect(exitCodeFor(denied)).toBe(2);
  });

  it('handles values that are not errors', () => {
    expect(toC360Error('plain text')).toMatchObject({ code: 'INTERNAL', message: 'plain text' });
    expect(toC360Error({ weird: true }).message).toBe('an unexpected error without a message');
    expect(toC360Error(undefined).code).toBe('INTERNAL');
  });
});

describe('the c360 command', () => {
  const BIN = join(import.meta.dirname, '..', '..', 'bin', 'c360.js');
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'c360-errors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function c360(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  it('exits with the code of the table and prints the message, with the code under --json', async () => {
    const ws = join(dir, 'ws');
    await mkdir(join(ws, 'c360.config.yaml'), { recursive: true });
    await writeFile(join(ws, 'workspace.duckdb'), '');
    const run = await c360(['build', '--workspace', ws]);
    expect(run.code).toBe(ERROR_CODES.FILE_ACCESS_DENIED.exit);
    expect(run.stderr).toContain(
      `error: The workspace configuration cannot be read: ${join(ws, 'c360.config.yaml')} is a folder`,
    );

    const json = await c360(['build', '--workspace', ws, '--json']);
    expect(json.code).toBe(2);
    const line = JSON.parse(json.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', code: 'FILE_ACCESS_DENIED' });
    expect(String(line.msg)).toContain('is a folder, not a file');
  });

  it('exits 3 when another process has the workspace database open', async () => {
    const ws = join(dir, 'held');
    await mkdir(ws, { recursive: true });
    const database = join(ws, 'workspace.duckdb');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { DuckDBInstance } = await import('@duckdb/node-api');
         const db = await DuckDBInstance.create(${JSON.stringify(database)});
         await db.connect();
         process.stdout.write('open\\n');
         process.stdin.resume();
         process.stdin.on('end', () => process.exit(0));`,
      ],
      { cwd: join(import.meta.dirname, '..', '..') },
    );
    try {
      await new Promise<void>((ready, failed) => {
        holder.stdout.on('data', () => ready());
        holder.on('exit', (code) => failed(new Error(`the holder exited with ${code}`)));
      });
      const run = await c360(['show', 'dim_customers', '--workspace', ws]);
      expect(run.code).toBe(ERROR_CODES.WORKSPACE_LOCKED.exit);
      expect(run.stderr).toContain(`The workspace database ${database} is in use by another process`);
    } finally {
      holder.stdin.end();
      await new Promise((done) => holder.on('exit', done));
    }
  });

  it('documents every exit code in --help', async () => {
    const run = await c360(['--help']);
    expect(run.code).toBe(0);
    const exits = new Set(Object.values(ERROR_CODES).map((c) => c.exit));
    for (const exit of [0, ...exits]) expect(run.stdout).toMatch(new RegExp(`(Exit codes: |· )${exit} `));
    expect(run.stdout).toMatch(/3 the workspace is held by another process/);
  });
});
