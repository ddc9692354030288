import { useTranslation } from 'react-i18next';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { useFormat } from '../../format/format.ts';
import { routeHref } from '../../shell/route.ts';
import type { PublishOutcome, RunSummaryData } from './publishClient.ts';
import { RejectedRows } from './RejectedRows.tsx';

type TargetRow = PublishOutcome['results'][number] | RunSummaryData['targets'][number];

/** Per target what was sent and what Klaviyo confirmed, failed, skipped or what a guardrail held back. */
export function ResultTable({ rows }: { rows: TargetRow[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const columns: Column<TargetRow>[] = [
    {
      key: 'target',
      header: t('publish.result.target'),
      rowHeader: true,
      cell: (row) => (
        <>
          {t(`publish.sync.${row.sync}`)}: <span translate="no">{row.target}</span>
        </>
      ),
    },
    ...(['planned', 'sent', 'succeeded', 'failed', 'skipped'] as const).map((key): Column<TargetRow> => ({
      key,
      header: t(`publish.result.${key}`),
      numeric: true,
      cell: (row) => format.integer(row[key]),
    })),
    {
      key: 'blocked',
      header: t('publish.result.blocked'),
      cell: (row) => <span translate="no">{typeof row.blocked === 'string' ? row.blocked : '—'}</span>,
    },
  ];
  return (
    <DataTable
      caption={t('publish.result.perTarget')}
      columns={columns}
      rows={rows}
      rowKey={(row) => `${row.sync}|${row.target}`}
    />
  );
}

/**
 * The end of a publish: its status, what was wrong, the numbers per target, the rows Klaviyo rejected, and the
 * way to retry. "Retry failed rows" plans this run's rejected rows alone (sync.run `retryFailed`), to review
 * before publishing it; "Retry" plans everything again.
 */
export function PublishResult({
  outcome,
  onRetry,
  onRetryFailed,
}: {
  outcome: PublishOutcome;
  onRetry: () => void;
  onRetryFailed: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const ok = outcome.status === 'succeeded';
  const failed = outcome.results.reduce((sum, result) => sum + result.failed, 0);
  return (
    <section className="publish-result" aria-label={t('publish.result.title')}>
      <p className="publish-result__status" role="status">
        <span className={`badge badge--${outcome.status}`}>{t(`runs.status.${outcome.status}`)}</span>{' '}
        {t(`publish.result.summary.${ok ? 'ok' : 'notOk'}`)}
      </p>
      {outcome.error ? (
        <p className="publish-note publish-note--error" translate="no">
          {outcome.error}
        </p>
      ) : null}
      <ResultTable rows={outcome.results} />
      {failed > 0 && outcome.runId ? <RejectedRows runId={outcome.runId} /> : null}
      {outcome.approvals?.length ? (
        <ul className="publish-list">
          {outcome.approvals.map((approval) => (
            <li key={`${approval.id}|${approval.sync}|${approval.target}`}>
              {t('publish.result.approvedBy', {
                guardrail: t(`publish.guardrailId.${approval.id}`, { defaultValue: approval.id }),
                target: approval.target,
                who: approval.approvedBy,
                when: format.dateTime(approval.approvedAt),
              })}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="publish-actions">
        {failed > 0 ? (
          <button type="button" className="button button--primary" onClick={onRetryFailed}>
            {t('publish.result.retryFailed', { count: failed })}
          </button>
        ) : null}
        {ok ? null : (
          <button type="button" className="button" onClick={onRetry}>
            {t('publish.result.retry')}
          </button>
        )}
        {outcome.runId ? (
          <a className="button button--secondary" href={routeHref({ page: 'runs', runId: outcome.runId })}>
            {t('publish.result.showRun')}
          </a>
        ) : null}
      </div>
      {failed > 0 ? <p className="panel__description">{t('publish.result.retryFailedHint')}</p> : null}
      {ok ? null : <p className="panel__description">{t('publish.result.retryHint')}</p>}
    </section>
  );
}
