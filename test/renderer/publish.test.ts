// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncOutcomeData, SyncProgressEventData } from '../../core/api/schemas/sync.ts';
import type { PublishRunInput } from '../../renderer/src/pages/publish/publishClient.ts';
import { apiError, fakeClient } from './fixtures.ts';
import {
  applied,
  planFixture,
  planned,
  preflightFixture,
  publishClient,
  runDetail,
  runSummary,
} from './publishFixtures.ts';
import { plain, renderApp } from './renderApp.ts';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

const planButton = () => screen.getByRole('button', { name: 'Plan (dry run)' });
const publishButton = () => screen.getByRole('button', { name: 'Publish' });

describe('Publish page', () => {
  it('plans the chosen syncs and shows what changes, where and how many calls it takes', async () => {
    const client = publishClient();
    renderApp(client, { hash: '#/publish' });
    // Only the lists and profiles syncs; one segment.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Events' }));
    fireEvent.click(await screen.findByRole('checkbox', { name: 'pregnancy_optin' }));
    fireEvent.click(planButton());
    const profiles = await screen.findByRole('region', { name: 'Profiles: profiles' });
    expect(client.syncCalls[0]!.input).toEqual({
      syncs: ['profiles', 'lists'],
      segments: ['pregnancy_optin'],
      dryRun: true,
    });
    expect(plain(profiles.textContent)).toContain('Create3');
    expect(plain(profiles.textContent)).toContain('Update2');
    expect(profiles.textContent).toContain('no email: 1');
    expect(profiles.textContent).toContain('Lifecycle Stage: active → at_risk');
    const list = screen.getByRole('region', { name: 'List: c360: pregnancy_optin' });
    expect(list.textContent).toContain('Add40');
    expect(list.textContent).toContain('New list (created on publish)');
    expect(screen.getByText('Demo Shop GmbH (ACC1)')).toBeTruthy();
    const callsTable = screen.getByRole('table', { name: 'API calls per endpoint' });
    expect(within(callsTable).getByText('POST /api/lists')).toBeTruthy();
  });

  it('holds a guardrail as a blocking card until approved, then publishes the reviewed plan with progress and result', async () => {
    const gate: { release?: () => void } = {};
    const client = publishClient({
      apply: async function* (
        input: PublishRunInput,
      ): AsyncGenerator<SyncProgressEventData, SyncOutcomeData> {
        yield { sync: 'profiles', target: 'profiles', done: 5, total: 5 };
        yield { sync: 'lists', target: 'pregnancy_optin', done: 20, total: 40, message: 'import job queued' };
        await new Promise<void>((resolve) => (gate.release = resolve));
        return applied(input.plan!);
      },
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    const card = (await screen.findByText(/is sensitive and was never published/)).closest('li')!;
    expect(card.textContent).toContain('Blocking');
    expect(await screen.findByText('1 guardrail is not approved: its target will not be sent.')).toBeTruthy();
    fireEvent.click(
      within(card).getByRole('button', { name: 'Approve Sensitive segment for pregnancy_optin' }),
    );
    expect(card.textContent).toContain('Approved');
    fireEvent.click(publishButton());
    // Live progress per target from the event stream.
    const bar = await screen.findByRole('progressbar', { name: 'List: c360: pregnancy_optin' });
    await waitFor(() => expect(bar.getAttribute('value')).toBe('20'));
    expect(bar.getAttribute('max')).toBe('40');
    expect(screen.getByText('import job queued')).toBeTruthy();
    const sent = client.syncCalls[1]!.input;
    expect(sent.dryRun).toBe(false);
    expect(sent.plan?.hash).toBe(planFixture().hash);
    expect(sent.approve).toBe(true);
    expect(sent.approvals).toEqual([{ id: 'sensitive_segment', sync: 'lists', target: 'pregnancy_optin' }]);
    gate.release!();
    const result = await screen.findByRole('region', { name: 'Result' });
    const row = within(result).getByRole('row', { name: /List: pregnancy_optin/ });
    expect(plain(row.textContent)).toContain('List: pregnancy_optin40403910');
    expect(within(result).getByRole('link', { name: 'Run details' }).getAttribute('href')).toBe(
      '#/runs/20261130-090100-abcdef',
    );
  });

  it('publishes without approval when a guardrail is left, and sends no approval for it', async () => {
    const client = publishClient();
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    await screen.findByText(/is sensitive and was never published/);
    fireEvent.click(publishButton());
    await screen.findByRole('region', { name: 'Result' });
    expect(client.syncCalls[1]!.input.approve).toBe(false);
    expect(client.syncCalls[1]!.input.approvals).toBeUndefined();
  });

  it('says "plan only" and offers no publish when the server has no Klaviyo key', async () => {
    const client = publishClient({
      plan: async () => planned(planFixture({ account: null, guardrails: [] })),
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    expect(await screen.findByText(/No Klaviyo key on the server: plan only/)).toBeTruthy();
    expect(screen.getByText('none (no key)')).toBeTruthy();
    expect((publishButton() as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows a stale plan clearly and re-plans', async () => {
    const client = publishClient({
      // eslint-disable-next-line require-yield -- the server refuses the plan before any progress
      apply: async function* (): AsyncGenerator<SyncProgressEventData, SyncOutcomeData> {
        throw apiError('SYNC_BLOCKED', 'The plan was made for other data (plan abc123, now def456).');
      },
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    await screen.findByText(/is sensitive and was never published/);
    fireEvent.click(publishButton());
    const alert = await screen.findByText(/This plan is out of date/);
    expect(alert.parentElement!.textContent).toContain('plan abc123, now def456');
    expect((publishButton() as HTMLButtonElement).disabled).toBe(true);
    // A stale plan cannot be approved either.
    expect((screen.getByRole('button', { name: /^Approve/ }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Re-plan' }));
    await waitFor(() => expect(client.syncCalls).toHaveLength(3));
    expect(client.syncCalls[2]!.input.dryRun).toBe(true);
  });

  it('cancels a running publish by aborting the call and shows the run the server ended', async () => {
    const client = publishClient({
      apply: async function* (_input, signal): AsyncGenerator<SyncProgressEventData, SyncOutcomeData> {
        yield { sync: 'profiles', target: 'profiles', done: 1, total: 5 };
        await new Promise((_, reject) =>
          signal!.addEventListener('abort', () => reject(new Error('aborted'))),
        );
        throw new Error('unreachable');
      },
      list: async () => [runSummary({ status: 'cancelled' })],
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    await screen.findByText(/is sensitive and was never published/);
    fireEvent.click(publishButton());
    await screen.findByRole('progressbar', { name: 'Profiles: profiles' });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(client.syncCalls[1]!.signal?.aborted).toBe(true);
    const panel = await screen.findByRole('region', { name: 'Publish cancelled' });
    expect(await within(panel).findByText('Cancelled')).toBeTruthy();
  });

  it('opened from a segment, plans its list and the profiles at once', async () => {
    const client = publishClient();
    renderApp(client, { hash: '#/publish?segment=vip_winback' });
    await screen.findByRole('region', { name: 'Profiles: profiles' });
    expect(client.syncCalls[0]!.input).toEqual({
      syncs: ['profiles', 'lists'],
      segments: ['vip_winback'],
      dryRun: true,
    });
  });

  it('speaks German', async () => {
    const client = publishClient();
    renderApp(client, { hash: '#/publish', language: 'de' });
    fireEvent.click(screen.getByRole('button', { name: 'Planen (Probelauf)' }));
    expect(
      await screen.findByRole('button', { name: 'Sensibles Segment für pregnancy_optin freigeben' }),
    ).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Veröffentlichen' })).toBeTruthy();
  });
});

describe('Publish page: preflight, stale data, failed rows', () => {
  it('shows the Klaviyo preflight: data age, eligibility per list, the list-creation budget and rows over limits', async () => {
    const client = publishClient({
      plan: async () => planned(planFixture({ preflight: preflightFixture() })),
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    const preflight = await screen.findByRole('region', { name: 'Klaviyo preflight' });
    const text = plain(preflight.textContent);
    // The page's date format (viewer's time zone), not the ISO instant.
    expect(text).toMatch(/Data: build build-1, finished 30 Nov 2026, \d{2}:\d{2} \(2 hours ago\)/);
    expect(text).toContain('Profiles: 9 of 10 customers eligible; 1 not marketable');
    expect(text).toContain('List creations: 1 in this plan; 1 of Klaviyo’s 150 a day left (c360 created 149');
    expect(text).toContain('2 profiles over 100 KB');
    expect(within(preflight).getByRole('alert').textContent).toContain('2 profiles are larger');
    const row = within(preflight).getByRole('row', { name: /pregnancy_optin/ });
    expect(plain(row.textContent)).toBe('pregnancy_optin5540123');
  });

  it('shows stale data as a blocking guardrail card to approve', async () => {
    const client = publishClient({
      plan: async () =>
        planned(
          planFixture({
            guardrails: [
              {
                id: 'stale_data',
                sync: 'profiles',
                target: 'profiles',
                message:
                  'the last build b2 failed (ended 2026-11-30T07:00:00Z), so the published data is from build b1',
              },
            ],
          }),
        ),
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(planButton());
    const card = (await screen.findByText(/the last build b2 failed/)).closest('li')!;
    expect(card.textContent).toContain('Stale data');
    fireEvent.click(within(card).getByRole('button', { name: 'Approve Stale data for profiles' }));
    fireEvent.click(publishButton());
    await screen.findByRole('region', { name: 'Result' });
    expect(client.syncCalls[1]!.input.approvals).toEqual([
      { id: 'stale_data', sync: 'profiles', target: 'profiles' },
    ]);
  });

  it("lists the rejected rows of the result and plans a retry of that run's failed rows", async () => {
    let plans = 0;
    const client = publishClient({
      plan: async () => {
        plans++;
        const plan = planFixture({ guardrails: [] });
        // The second plan retries the row the list rejected.
        if (plans > 1) {
          const list = plan.targets[1]!;
          if (list.sync === 'lists') Object.assign(list, { add: 1, unchanged: 39, retrying: 1 });
        }
        return planned(plan);
      },
      show: async (input) => runDetail(25, input.offset ?? 0, input.limit ?? 50),
    });
    renderApp(client, { hash: '#/publish' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Events' }));
    fireEvent.click(planButton());
    await screen.findByRole('region', { name: 'Profiles: profiles' });
    fireEvent.click(publishButton());
    const result = await screen.findByRole('region', { name: 'Result' });
    const rejected = await within(result).findByRole('table', { name: '25 rows Klaviyo rejected' });
    expect(within(rejected).getByText('row0019@example.com')).toBeTruthy();
    expect(within(rejected).queryByText('row0020@example.com')).toBeNull();
    expect(
      within(result).getByRole('link', { name: '5 more rejected rows (of 25): see the run' }),
    ).toBeTruthy();
    expect(client.showCalls.at(-1)).toMatchObject({ runId: '20261130-090100-abcdef', offset: 0, limit: 20 });

    fireEvent.click(within(result).getByRole('button', { name: 'Retry 1 failed row' }));
    const list = await screen.findByRole('region', { name: 'List: c360: pregnancy_optin' });
    expect(plain(list.textContent)).toContain('Retried1');
    // A plan of this run's rejected rows alone, not the same syncs again.
    expect(client.syncCalls[2]!.input).toEqual({
      syncs: ['profiles', 'lists'],
      retryFailed: { runId: '20261130-090100-abcdef' },
      dryRun: true,
    });
  });
});

describe('a client without the publish calls', () => {
  it('says where to publish instead of showing a blank page', async () => {
    for (const hash of ['#/publish', '#/runs']) {
      renderApp(fakeClient(), { hash });
      expect((await screen.findByRole('alert')).textContent).toContain('Open the workbench in web mode');
      cleanup();
    }
  });
});

describe('Runs page', () => {
  it('lists sync runs and builds', async () => {
    const client = publishClient();
    renderApp(client, { hash: '#/runs' });
    const link = await screen.findByRole('link', { name: '20261130-090100-abcdef' });
    expect(link.closest('tr')!.textContent).toContain('Succeeded');
    expect(await screen.findByText('build-1')).toBeTruthy();
  });

  it('shows a run with its rejected rows a page at a time and says how many more there are', async () => {
    const client = publishClient({
      show: async (input) => runDetail(120, input.offset ?? 0, input.limit ?? 50),
    });
    renderApp(client, { hash: '#/runs/20261130-090100-abcdef' });
    expect(await screen.findByText('120 rejected rows')).toBeTruthy();
    expect(screen.getByText('row0049@example.com')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '70 more' }));
    expect(await screen.findByText('row0099@example.com')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: '20 more' }));
    expect(await screen.findByText('row0119@example.com')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /more$/ })).toBeNull();
    expect(client.showCalls.map((call) => call.offset)).toEqual([0, 50, 100]);
  });
});
