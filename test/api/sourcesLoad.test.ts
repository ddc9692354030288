import { request } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORPCError } from '@orpc/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/client/index.ts';
import { createRouter } from '../../core/api/router.ts';
import {
  isLoadFileName,
  LOAD_FILE_EXTENSIONS,
  MAX_LOAD_UPLOAD_BYTES,
  type LoadProgressEventData,
  type LoadReportData,
} from '../../core/api/schemas/load.ts';
import { discoverRawFiles } from '../../core/sources/rawFileDiscovery.ts';
import { startWebServer, type WebServer } from '../../core/api/server/webServer.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { transportsOf } from './transportClients.ts';

// `sources.load` (issue 15 §1, §2): a load's files travel as contents over every transport, land in the raw
// tables of the service that received them, and never as a path on the receiving side.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'exports');

let dir: string;
/** The temporary folder of this test file's process (forks pool): the receiving folders are made here. */
let temp: string;
let savedTmpdir: string | undefined;
let service: WorkspaceService;
let server: WebServer;
const logLines: string[] = [];
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-loadapi-'));
  // os.tmpdir() follows TMPDIR: the server (in this process) makes its receiving folders where this test looks
  savedTmpdir = process.env.TMPDIR;
  temp = join(dir, 'tmp');
  await mkdir(temp);
  process.env.TMPDIR = temp;
  service = await WorkspaceService.open(dir, { create: true });
  server = await startWebServer({
    router: createRouter({ log: (line) => logLines.push(line) }),
    context: { service },
    staticDir: dir,
  });
}, 60_000);

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

afterAll(async () => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  await server?.close();
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

const transports = transportsOf(
  () => server,
  () => ({ service }),
  () => createRouter(),
  cleanups,
);

async function fixture(name: string): Promise<Blob> {
  return new Blob([await readFile(join(FIXTURES, name))]);
}

async function collect(
  client: ApiClient,
  input: Parameters<ApiClient['sources']['load']>[0],
  onEvent?: (event: LoadProgressEventData) => Promise<void>,
): Promise<{ events: LoadProgressEventData[]; report: LoadReportData }> {
  const iterator = await client.sources.load(input);
  const events: LoadProgressEventData[] = [];
  for (;;) {
    const step = await iterator.next();
    if (step.done) return { events, report: step.value };
    events.push(step.value);
    await onEvent?.(step.value);
  }
}

async function uploadFolders(): Promise<string[]> {
  return (await readdir(temp)).filter((name) => name.startsWith('c360-load-'));
}

describe.each(transports)('sources.load over %s', (_name, makeClient) => {
  it('loads the sent files into the raw tables, streaming one event per file', async () => {
    const client = await makeClient();
    const users = [
      'id,email,name,created_at',
      ...Array.from(
        { length: 5 },
        (_, i) => `${i + 1},u${i + 1}@example.com,User ${i + 1},2026-01-0${i + 1}`,
      ),
    ].join('\n');
    const during: { name: string; mode: number }[] = [];
    const { events, report } = await collect(
      client,
      {
        files: [
          { name: 'zendesk/users.csv', content: new Blob([`${users}\n`]) },
          { name: 'shopify__orders.csv', content: await fixture('shopify-orders-excel-de.csv') },
          { name: 'notes.txt', content: new Blob([]) },
        ],
        folder: '/home/ana/exports',
      },
      async () => {
        if (during.length) return;
        for (const name of await uploadFolders())
          during.push({ name, mode: (await stat(join(temp, name))).mode & 0o777 });
      },
    );
    expect(report.errors).toEqual([]);
    expect(report.dir).toBe('/home/ana/exports');
    expect(report.files.map((f) => [f.file, f.source, f.table, f.rowsLoaded])).toEqual([
      ['shopify__orders.csv', 'shopify', 'orders', 4],
      ['zendesk/users.csv', 'zendesk', 'users', 5],
    ]);
    expect(report.files[0]?.readAs.join(' ')).toMatch(/Windows-1252/);
    expect(report.unknownFiles).toEqual([
      { file: 'notes.txt', reason: expect.stringMatching(/not a \.csv/) as unknown as string },
    ]);
    expect(events.map((e) => `${e.file} ${e.status}`)).toEqual([
      'shopify__orders.csv loading',
      'shopify__orders.csv loaded',
      'zendesk/users.csv loading',
      'zendesk/users.csv loaded',
    ]);
    const rows = await service.read((db) =>
      db.queryJs('select count(*)::integer as n from raw_zendesk.users'),
    );
    expect(rows[0]?.n).toBe(5);
    // the receiving folder is private and gone once the load answered
    expect(JSON.stringify(report)).not.toContain(tmpdir());
    expect(during).toEqual([
      { name: expect.stringMatching(/^c360-load-/) as unknown as string, mode: 0o700 },
    ]);
    expect(await uploadFolders()).toEqual([]);
  });

  it('returns why a file was not loaded, line and all, and leaves its table as it was', async () => {
    const client = await makeClient();
    const { report } = await collect(client, {
      files: [{ name: 'zendesk/users.csv', content: await fixture('zendesk-users-short-row.csv') }],
    });
    expect(report.files).toEqual([]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]?.message).toMatch(/line 4 has 3 fields, the header has 4/);
    expect(report.errors[0]?.message).toContain('zendesk.users was left unchanged');
    expect(report.errors[0]?.message).not.toContain(tmpdir());
    const rows = await service.read((db) =>
      db.queryJs('select count(*)::integer as n from raw_zendesk.users'),
    );
    expect(rows[0]?.n).toBe(5);
  });

  it('refuses file names that could leave the load folder, before writing anything', async () => {
    const client = await makeClient();
    for (const name of [
      '../users.csv',
      'zendesk/../../users.csv',
      '/etc/users.csv',
      '.hidden.csv',
      'a/b/c.csv',
    ]) {
      const error = await collect(client, {
        files: [{ name, content: new Blob(['id\n1\n']) }],
      }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ORPCError);
      expect(error, name).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
      expect((error as Error).message, name).toMatch(/relative to the load folder/);
    }
  });
});

describe('the file names a client sends', () => {
  it('are the endings the load reads, no more and no fewer', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'c360-names-'));
    try {
      const names = [...LOAD_FILE_EXTENSIONS.map((ext) => `zendesk__users${ext}`), 'zendesk__users.txt'];
      for (const name of names) {
        await rm(join(folder, 'only'), { recursive: true, force: true });
        await mkdir(join(folder, 'only'));
        await writeFile(join(folder, 'only', name), '');
        const found = discoverRawFiles(join(folder, 'only'));
        expect(found.files.length === 1, name).toBe(isLoadFileName(name));
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('the web server’s request size limit', () => {
  it('answers an upload over the cap with PAYLOAD_TOO_LARGE (413) and what to do, without reading it', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${server.url}/api/sources/load`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server.token}`,
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(MAX_LOAD_UPLOAD_BYTES + 2 * 1024 * 1024),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(status).toBe(413);
    const answer = JSON.parse(body) as { json: { code: string; message: string; data: { hint: string } } };
    expect(answer.json.code).toBe('PAYLOAD_TOO_LARGE');
    expect(answer.json.message).toMatch(/over the 256 MB one load may send/);
    expect(answer.json.data.hint).toMatch(/Compress the exports/);
  });
});
