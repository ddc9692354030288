import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/clientContext.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { Panel } from '../../components/Panel.tsx';
import { Empty, ErrorState, Loading } from '../../components/StateViews.tsx';
import { useFormat } from '../../format/format.ts';
import { routeHref } from '../../shell/route.ts';
import { ResultTable } from '../publish/PublishResult.tsx';
import {
  findPublishCalls,
  missingCallsError,
  publishCalls,
  runsQueryKeys,
  type BuildRunData,
  type RunDetailData,
  type RunSummaryData,
} from '../publish/publishClient.ts';
import '../publish/publish.css';

const RUNS_SHOWN = 50;
const ERRORS_PAGE = 50;

function seconds(ms: number | null, format: ReturnType<typeof useFormat>, digits = 1): string {
  return ms === null ? '—' : `${format.decimal(ms / 1000, digits)} s`;
}

type Format = ReturnType<typeof useFormat>;

function StatusBadge({ status, label }: { status: string; label: string }) {
  return <span className={`badge badge--${status}`}>{label}</span>;
}

function SyncRuns() {
  const { t } = useTranslation();
  const format = useFormat();
  const calls = publishCalls(useClient());
  const runs = useQuery({
    queryKey: runsQueryKeys.list(RUNS_SHOWN),
    queryFn: ({ signal }) => calls.runs.list({ limit: RUNS_SHOWN }, { signal }),
  });
  if (runs.isPending) return <Loading />;
  if (runs.isError) return <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />;
  if (!runs.data.length) return <Empty>{t('runs.noSyncRuns')}</Empty>;
  const columns: Column<RunSummaryData>[] = [
    {
      key: 'run',
      header: t('runs.run'),
      cell: (run) => (
        <span translate="no">
          <a href={routeHref({ page: 'runs', runId: run.runId })}>{run.runId}</a>
        </span>
      ),
    },
    { key: 'started', header: t('runs.started'), cell: (run) => format.dateTime(run.startedAt) },
    {
      key: 'status',
      header: t('runs.statusLabel'),
      cell: (run) => <StatusBadge status={run.status} label={t(`runs.status.${run.status}`)} />,
    },
    {
      key: 'syncs',
      header: t('runs.syncs'),
      cell: (run) =>
        run.syncs.map((sync) => t(`publish.sync.${sync}`, { defaultValue: sync })).join(', ') +
        (run.retryOf ? ` (${t('runs.retryShort')})` : ''),
    },
    ...(['planned', 'succeeded', 'failed'] as const).map((key) => ({
      key,
      header: t(`publish.result.${key}`),
      numeric: true,
      cell: (run: RunSummaryData) => format.integer(run.totals[key]),
    })),
    {
      key: 'apiCalls',
      header: t('runs.apiCalls'),
      numeric: true,
      cell: (run) => format.integer(run.totals.apiCalls),
    },
    {
      key: 'duration',
      header: t('runs.duration'),
      numeric: true,
      cell: (run) => seconds(run.durationMs, format),
    },
  ];
  return (
    <DataTable
      caption={t('runs.syncTitle')}
      captionHidden
      columns={columns}
      rows={runs.data}
      rowKey={(run) => run.runId}
    />
  );
}

function BuildRuns() {
  const { t } = useTranslation();
  const format = useFormat();
  const calls = publishCalls(useClient());
  const builds = useQuery({
    queryKey: runsQueryKeys.builds,
    queryFn: ({ signal }) => calls.runs.builds({ limit: 20 }, { signal }),
  });
  if (builds.isPending) return <Loading />;
  if (builds.isError) return <ErrorState error={builds.error} onRetry={() => void builds.refetch()} />;
  if (!builds.data.length) return <Empty>{t('runs.noBuilds')}</Empty>;
  const columns: Column<BuildRunData>[] = [
    { key: 'run', header: t('runs.run'), cell: (build) => <span translate="no">{build.runId}</span> },
    {
      key: 'started',
      header: t('runs.started'),
      cell: (build) => (build.startedAt ? format.dateTime(build.startedAt) : '—'),
    },
    { key: 'asOf', header: t('runs.asOf'), cell: (build) => (build.asOf ? format.date(build.asOf) : '—') },
    {
      key: 'status',
      header: t('runs.statusLabel'),
      cell: (build) => (
        <StatusBadge
          status={build.status}
          label={t(`runs.buildStatus.${build.status}`, { defaultValue: build.status })}
        />
      ),
    },
    { key: 'models', header: t('runs.models'), numeric: true, cell: (build) => format.integer(build.models) },
    {
      key: 'failedTests',
      header: t('runs.failedTests'),
      numeric: true,
      cell: (build) => format.integer(build.failedTests),
    },
    {
      key: 'duration',
      header: t('runs.duration'),
      numeric: true,
      cell: (build) => (build.seconds === null ? '—' : `${format.decimal(build.seconds, 1)} s`),
    },
  ];
  return (
    <DataTable
      caption={t('runs.buildTitle')}
      captionHidden
      columns={columns}
      rows={builds.data}
      rowKey={(build) => build.runId}
    />
  );
}

type RunRequest = NonNullable<RunDetailData['requests']>[number];

/** 1.234 B · 12,3 KB · 4,5 MB (binary units, as Klaviyo's limits are given). */
function bytes(n: number, format: Format): string {
  if (n < 1024) return `${format.integer(n)} B`;
  if (n < 1024 * 1024) return `${format.decimal(n / 1024, 1)} KB`;
  return `${format.decimal(n / 1024 / 1024, 1)} MB`;
}

/** What the run sent per Klaviyo endpoint: calls, answers by HTTP status, bytes and time; never payloads. */
function RequestsTable({ requests }: { requests: RunRequest[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!requests.length) return <Empty>{t('runs.requests.none')}</Empty>;
  const answered = (r: RunRequest) => r.statuses !== undefined;
  const columns: Column<RunRequest>[] = [
    {
      key: 'endpoint',
      header: t('runs.requests.endpoint'),
      cell: (r) => <code translate="no">{r.endpoint}</code>,
    },
    { key: 'calls', header: t('runs.requests.calls'), numeric: true, cell: (r) => format.integer(r.calls) },
    {
      key: 'statuses',
      header: t('runs.requests.statuses'),
      cell: (r) =>
        answered(r)
          ? Object.entries(r.statuses ?? {})
              .map(([status, n]) =>
                t('runs.requests.status', {
                  status: status === 'none' ? t('runs.requests.noAnswer') : status,
                  count: n,
                  n: format.integer(n),
                }),
              )
              .join(', ')
          : '—',
    },
    {
      key: 'sent',
      header: t('runs.requests.sent'),
      numeric: true,
      cell: (r) => (answered(r) ? bytes(r.sentBytes ?? 0, format) : '—'),
    },
    {
      key: 'received',
      header: t('runs.requests.received'),
      numeric: true,
      cell: (r) => (answered(r) ? bytes(r.receivedBytes ?? 0, format) : '—'),
    },
    {
      key: 'average',
      header: t('runs.requests.average'),
      numeric: true,
      cell: (r) => (answered(r) && r.calls ? seconds((r.totalMs ?? 0) / r.calls, format, 2) : '—'),
    },
    {
      key: 'slowest',
      header: t('runs.requests.slowest'),
      numeric: true,
      cell: (r) => (answered(r) ? seconds(r.slowestMs ?? 0, format, 2) : '—'),
    },
  ];
  return (
    <DataTable
      caption={t('runs.requests.caption')}
      columns={columns}
      rows={requests}
      rowKey={(r) => r.endpoint}
    />
  );
}

type RunError = RunDetailData['errors'][number];

/** One sync run: its counts per target, what it sent, its error, and its rejected rows a page at a time. */
function RunDetail({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const calls = publishCalls(useClient());
  const detail = useInfiniteQuery({
    queryKey: runsQueryKeys.show(runId),
    initialPageParam: 0,
    queryFn: ({ pageParam, signal }) =>
      calls.runs.show({ runId, offset: pageParam, limit: ERRORS_PAGE }, { signal }),
    getNextPageParam: (last) => {
      const next = last.offset + last.errors.length;
      return last.errors.length > 0 && next < last.errorsTotal ? next : undefined;
    },
    retry: false,
  });
  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  const [run] = detail.data.pages;
  if (!run) return null;
  const errors = detail.data.pages.flatMap((page) => page.errors);
  const more = run.errorsTotal - errors.length;
  const errorColumns: Column<RunError>[] = [
    {
      key: 'target',
      header: t('publish.result.target'),
      cell: (e) => (
        <span translate="no">
          {e.sync}: {e.target}
        </span>
      ),
    },
    { key: 'row', header: t('runs.row'), cell: (e) => <span translate="no">{e.key}</span> },
    { key: 'code', header: t('runs.code'), cell: (e) => <code translate="no">{e.code}</code> },
    { key: 'reason', header: t('runs.reason'), cell: (e) => <span translate="no">{e.error}</span> },
  ];
  return (
    <>
      <Panel title={t('runs.detailTitle', { runId: run.runId })}>
        <dl className="publish-summary">
          <div>
            <dt>{t('runs.statusLabel')}</dt>
            <dd>
              <StatusBadge status={run.status} label={t(`runs.status.${run.status}`)} />
            </dd>
          </div>
          <div>
            <dt>{t('runs.started')}</dt>
            <dd>{format.dateTime(run.startedAt)}</dd>
          </div>
          <div>
            <dt>{t('runs.finished')}</dt>
            <dd>{run.finishedAt ? format.dateTime(run.finishedAt) : '—'}</dd>
          </div>
          <div>
            <dt>{t('runs.approved')}</dt>
            <dd>{run.approved ? t('runs.yes') : t('runs.no')}</dd>
          </div>
          <div>
            <dt>{t('publish.plan.planHash')}</dt>
            <dd translate="no">
              <code>{run.planHash?.slice(0, 12) ?? '—'}</code>
            </dd>
          </div>
          {run.retryOf ? (
            <div>
              <dt>{t('runs.retryOf')}</dt>
              <dd translate="no">
                <a href={routeHref({ page: 'runs', runId: run.retryOf })}>{run.retryOf}</a>
              </dd>
            </div>
          ) : null}
        </dl>
        {run.error ? (
          <p className="publish-note publish-note--error" translate="no">
            {run.error}
          </p>
        ) : null}
        <ResultTable rows={run.targets} />
      </Panel>
      <Panel title={t('runs.requests.title')} description={t('runs.requests.description')}>
        <RequestsTable requests={run.requests ?? []} />
      </Panel>
      <Panel title={t('runs.rejected', { count: run.errorsTotal })}>
        {errors.length ? (
          <DataTable
            caption={t('runs.rejectedCaption')}
            captionHidden
            columns={errorColumns}
            rows={errors}
            rowKey={(e, index) => `${e.sync}|${e.target}|${e.key}|${index}`}
          />
        ) : (
          <Empty>{t('runs.noRejected')}</Empty>
        )}
        <div className="publish-actions">
          {more > 0 ? (
            <button
              type="button"
              className="button"
              disabled={detail.isFetchingNextPage || !detail.hasNextPage}
              onClick={() => void detail.fetchNextPage()}
            >
              {t('runs.more', { count: more })}
            </button>
          ) : null}
          {run.errorsTotal > 0 && run.status !== 'running' ? (
            <a
              className="button button--primary"
              href={routeHref({ page: 'publish', segment: null, retry: run.runId })}
            >
              {t('runs.retryFailed')}
            </a>
          ) : null}
        </div>
        {run.errorsTotal > 0 && run.status !== 'running' ? (
          <p className="panel__description">{t('runs.retryFailedHint')}</p>
        ) : null}
      </Panel>
    </>
  );
}

/** Sync and build history; `#/runs/<id>` shows one sync run. */
export function RunsPage({ runId }: { runId: string | null }) {
  const { t } = useTranslation();
  const client = useClient();
  if (!findPublishCalls(client)) return <ErrorState error={missingCallsError()} />;
  return (
    <div className="page runs-page">
      <div className="page__header">
        <h1 className="page__title">{t('runs.title')}</h1>
        <p className="page__subtitle">{t('runs.subtitle')}</p>
      </div>
      {runId ? (
        <>
          <p>
            <a href={routeHref({ page: 'runs', runId: null })}>{t('runs.back')}</a>
          </p>
          <RunDetail runId={runId} />
        </>
      ) : (
        <>
          <Panel title={t('runs.syncTitle')}>
            <SyncRuns />
          </Panel>
          <Panel title={t('runs.buildTitle')}>
            <BuildRuns />
          </Panel>
        </>
      )}
    </div>
  );
}
