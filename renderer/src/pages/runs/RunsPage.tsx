import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/clientContext.tsx';
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
} from '../publish/publishClient.ts';
import '../publish/publish.css';

const RUNS_SHOWN = 50;
const ERRORS_PAGE = 50;

function seconds(ms: number | null, format: ReturnType<typeof useFormat>): string {
  return ms === null ? '—' : `${format.decimal(ms / 1000, 1)} s`;
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
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('runs.run')}</th>
            <th scope="col">{t('runs.started')}</th>
            <th scope="col">{t('runs.statusLabel')}</th>
            <th scope="col">{t('runs.syncs')}</th>
            <th scope="col" className="num">
              {t('publish.result.planned')}
            </th>
            <th scope="col" className="num">
              {t('publish.result.succeeded')}
            </th>
            <th scope="col" className="num">
              {t('publish.result.failed')}
            </th>
            <th scope="col" className="num">
              {t('runs.apiCalls')}
            </th>
            <th scope="col" className="num">
              {t('runs.duration')}
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.data.map((run) => (
            <tr key={run.runId}>
              <td translate="no">
                <a href={routeHref({ page: 'runs', runId: run.runId })}>{run.runId}</a>
              </td>
              <td>{format.dateTime(run.startedAt)}</td>
              <td>
                <span className={`badge badge--${run.status}`}>{t(`runs.status.${run.status}`)}</span>
              </td>
              <td>{run.syncs.map((sync) => t(`publish.sync.${sync}`, { defaultValue: sync })).join(', ')}</td>
              <td className="num">{format.integer(run.totals.planned)}</td>
              <td className="num">{format.integer(run.totals.succeeded)}</td>
              <td className="num">{format.integer(run.totals.failed)}</td>
              <td className="num">{format.integer(run.totals.apiCalls)}</td>
              <td className="num">{seconds(run.durationMs, format)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('runs.run')}</th>
            <th scope="col">{t('runs.started')}</th>
            <th scope="col">{t('runs.asOf')}</th>
            <th scope="col">{t('runs.statusLabel')}</th>
            <th scope="col" className="num">
              {t('runs.models')}
            </th>
            <th scope="col" className="num">
              {t('runs.failedTests')}
            </th>
            <th scope="col" className="num">
              {t('runs.duration')}
            </th>
          </tr>
        </thead>
        <tbody>
          {builds.data.map((build) => (
            <tr key={build.runId}>
              <td translate="no">{build.runId}</td>
              <td>{build.startedAt ? format.dateTime(build.startedAt) : '—'}</td>
              <td>{build.asOf ? format.date(build.asOf) : '—'}</td>
              <td>
                <span className={`badge badge--${build.status}`}>
                  {t(`runs.buildStatus.${build.status}`, { defaultValue: build.status })}
                </span>
              </td>
              <td className="num">{format.integer(build.models)}</td>
              <td className="num">{format.integer(build.failedTests)}</td>
              <td className="num">
                {build.seconds === null ? '—' : `${format.decimal(build.seconds, 1)} s`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One sync run: its counts per target, its error, and its rejected rows a page at a time. */
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
  return (
    <>
      <Panel title={t('runs.detailTitle', { runId: run.runId })}>
        <dl className="publish-summary">
          <div>
            <dt>{t('runs.statusLabel')}</dt>
            <dd>
              <span className={`badge badge--${run.status}`}>{t(`runs.status.${run.status}`)}</span>
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
        </dl>
        {run.error ? (
          <p className="publish-note publish-note--error" translate="no">
            {run.error}
          </p>
        ) : null}
        <ResultTable rows={run.targets} />
      </Panel>
      <Panel title={t('runs.rejected', { count: run.errorsTotal })}>
        {errors.length ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('publish.result.target')}</th>
                  <th scope="col">{t('runs.row')}</th>
                  <th scope="col">{t('runs.code')}</th>
                  <th scope="col">{t('runs.reason')}</th>
                </tr>
              </thead>
              <tbody translate="no">
                {errors.map((error, index) => (
                  <tr key={`${error.sync}|${error.target}|${error.key}|${index}`}>
                    <td>
                      {error.sync}: {error.target}
                    </td>
                    <td>{error.key}</td>
                    <td>
                      <code>{error.code}</code>
                    </td>
                    <td>{error.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>{t('runs.noRejected')}</Empty>
        )}
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
