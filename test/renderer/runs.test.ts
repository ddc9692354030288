// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetailData } from '../../core/api/schemas/runs.ts';
import type { SyncOutcomeData, SyncProgressEventData } from '../../core/api/schemas/sync.ts';
import type { PublishRunInput } from '../../renderer/src/pages/publish/publishClient.ts';
import { applied, planFixture, planned, publishClient, runDetail, runSummary } from './publishFixtures.ts';
import { renderApp } from './renderApp.ts';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

const RUN = '20261130-090100-abcdef';

/** A run with 3 rejected rows and what it sent: two endpoints with answers, one recorded before answers were kept. */
function sentRun(overrides: Partial<RunDetailData> = {}) {
  return async (input: { offset?: number; limit?: number }): Promise<RunDetailData> => ({
    ...runDetail(3, input.offset ?? 0, input.limit ?? 50),
    requests: [
      {
        endpoint: 'POST /api/profile-bulk-import-jobs',
        calls: 4,
        statuses: { '202': 3, '429': 1 },
        sentBytes: 2.5 * 1024 * 1024,
        receivedBytes: 3200,
        totalMs: 1000,
        slowestMs: 480,
      },
      {
        endpoint: 'GET /api/profile-bulk-import-jobs/{id}',
        calls: 6,
        statuses: { '200': 5, none: 1 },
        sentBytes: 0,
        receivedBytes: 900,
        totalMs: 300,
        slowestMs: 120,
      },
      { endpoint: 'POST /api/lists', calls: 1 },
    ],
    ...overrides,
  });
}

const cellsOf = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((cell) => cell.textContent);

describe('Runs page: a run in detail', () => {
  it('shows what was sent per endpoint: requests, answers by status, bytes and time', async () => {
    renderApp(publishClient({ show: sentRun() }), { hash: `#/runs/${RUN}` });
    const table = await screen.findByRole('table', { name: 'Requests per Klaviyo endpoint' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual([
      'Endpoint',
      'Requests',
      'Answers',
      'Sent',
      'Received',
      'Average time',
      'Slowest',
    ]);
    const [, jobs, polls, lists] = within(table).getAllByRole('row');
    expect(cellsOf(jobs!)).toEqual([
      'POST /api/profile-bulk-import-jobs',
      '4',
      '202 × 3, 429 × 1',
      '2.5 MB',
      '3.1 KB',
      '0.25 s',
      '0.48 s',
    ]);
    expect(cellsOf(polls!)[2]).toBe('200 × 5, no answer × 1');
    // A run recorded before answers were kept: its calls, and dashes rather than zeros.
    expect(cellsOf(lists!)).toEqual(['POST /api/lists', '1', '—', '—', '—', '—', '—']);
    // Numbers are right-aligned columns.
    expect(within(jobs!).getAllByRole('cell')[1]!.className).toBe('num');
  });

  it('says when a run sent nothing', async () => {
    renderApp(publishClient({ show: sentRun({ requests: [] }) }), { hash: `#/runs/${RUN}` });
    expect(await screen.findByText('This run sent no requests to Klaviyo.')).toBeTruthy();
  });

  it('links a retry run to the run it retried, and marks it in the list', async () => {
    const client = publishClient({
      list: async () => [runSummary({ runId: 'retry-run-1', retryOf: RUN }), runSummary()],
      show: sentRun({ runId: 'retry-run-1', retryOf: RUN }),
    });
    renderApp(client, { hash: '#/runs' });
    const list = await screen.findByRole('table', { name: 'Sync runs' });
    const retryRow = within(list).getByRole('link', { name: 'retry-run-1' }).closest('tr')!;
    expect(retryRow.textContent).toContain('Profiles, List (retry)');
    const other = within(list).getByRole('link', { name: RUN }).closest('tr')!;
    expect(other.textContent).not.toContain('(retry)');
    cleanup();

    renderApp(client, { hash: '#/runs/retry-run-1' });
    const link = await screen.findByRole('link', { name: RUN });
    expect(link.closest('div')!.textContent).toContain('Retry of run');
    expect(link.getAttribute('href')).toBe(`#/runs/${RUN}`);
  });

  it('offers "Retry failed rows" only for a run with rejected rows', async () => {
    renderApp(publishClient({ show: sentRun() }), { hash: `#/runs/${RUN}` });
    const retry = await screen.findByRole('link', { name: 'Retry failed rows' });
    expect(retry.getAttribute('href')).toBe(`#/publish?retry=${RUN}`);
    cleanup();
    renderApp(
      publishClient({
        show: async (input) => ({ ...runDetail(0, input.offset ?? 0, 50), requests: [] }),
      }),
      { hash: `#/runs/${RUN}` },
    );
    expect(await screen.findByText('Klaviyo rejected no rows in this run.')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Retry failed rows' })).toBeNull();
  });

  it('the retry link plans that run’s failed rows, says so, and publishes the plan as a retry', async () => {
    const client = publishClient({
      plan: async (input) => {
        const plan = planFixture({ guardrails: [] });
        return planned({
          ...plan,
          request: {
            ...plan.request,
            ...(input.retryFailed?.runId ? { retryFailed: { runId: input.retryFailed.runId } } : {}),
          },
        });
      },
      apply: async function* (
        input: PublishRunInput,
      ): AsyncGenerator<SyncProgressEventData, SyncOutcomeData> {
        yield { sync: 'profiles', target: 'profiles', done: 1, total: 1 };
        return applied(input.plan!, 'retry-run-2');
      },
    });
    renderApp(client, { hash: `#/publish?retry=${RUN}` });
    const note = (await screen.findByText(/Retry of run/)).closest('p')!;
    expect(note.textContent).toContain(`Retry of run ${RUN}: this plan holds only the rows`);
    expect(within(note).getByRole('link').getAttribute('href')).toBe(`#/runs/${RUN}`);
    expect(client.syncCalls[0]!.input).toEqual({
      syncs: ['profiles', 'lists', 'events'],
      retryFailed: { runId: RUN },
      dryRun: true,
    });
    fireEvent.click(screen.getByRole('button', { name: 'Publish' }));
    await screen.findByRole('region', { name: 'Result' });
    expect(client.syncCalls[1]!.input).toMatchObject({ dryRun: false, retryFailed: { runId: RUN } });
    expect(client.syncCalls[1]!.input.plan?.request.retryFailed).toEqual({ runId: RUN });
  });

  it('speaks German', async () => {
    renderApp(publishClient({ show: sentRun() }), { hash: `#/runs/${RUN}`, language: 'de' });
    const table = await screen.findByRole('table', { name: 'Anfragen je Klaviyo-Endpunkt' });
    const [, jobs, polls] = within(table).getAllByRole('row');
    expect(cellsOf(jobs!).slice(3)).toEqual(['2,5 MB', '3,1 KB', '0,25 s', '0,48 s']);
    expect(cellsOf(polls!)[2]).toBe('200 × 5, keine Antwort × 1');
    expect(screen.getByRole('link', { name: 'Fehlgeschlagene Zeilen erneut senden' })).toBeTruthy();
  });
});

describe('Publish result: approvals', () => {
  it('shows who approved and when with the page’s date format, not an ISO timestamp', async () => {
    const client = publishClient({
      plan: async () => planned(planFixture({ guardrails: [] })),
      apply: async function* (
        input: PublishRunInput,
      ): AsyncGenerator<SyncProgressEventData, SyncOutcomeData> {
        yield { sync: 'profiles', target: 'profiles', done: 1, total: 1 };
        return {
          ...applied(input.plan!),
          approvals: [
            {
              id: 'stale_data',
              sync: 'profiles',
              target: 'profiles',
              planHash: 'abc',
              approvedBy: 'root',
              approvedAt: '2026-12-03T16:39:33.707Z',
            },
          ],
        };
      },
    });
    renderApp(client, { hash: '#/publish', language: 'de' });
    fireEvent.click(await screen.findByRole('button', { name: 'Planen (Probelauf)' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Veröffentlichen' }));
    const line = await screen.findByText(/freigegeben von root am/);
    expect(line.textContent).not.toContain('2026-12-03T');
    expect(line.textContent).toMatch(/am 03\.12\.2026, \d{2}:\d{2}$/);
  });
});
