import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/clientContext.tsx';
import { useFormat } from '../../format/format.ts';
import { routeHref } from '../../shell/route.ts';
import { publishCalls } from './publishClient.ts';

/** How many rejected rows the result shows; the Runs page pages through the rest. */
export const REJECTED_ROWS_PAGE = 20;

/**
 * The rows Klaviyo rejected in a run (runs.show, one bounded page) with Klaviyo's reason, and how many more there
 * are: the result of a publish says which rows failed, not only how many.
 */
export function RejectedRows({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const calls = publishCalls(useClient());
  const run = useQuery({
    queryKey: ['runs.show', { runId, offset: 0, limit: REJECTED_ROWS_PAGE }],
    queryFn: ({ signal }) => calls.runs.show({ runId, offset: 0, limit: REJECTED_ROWS_PAGE }, { signal }),
  });
  const detail = run.data;
  if (!detail || detail.errorsTotal === 0) return null;
  const more = detail.errorsTotal - detail.errors.length;
  return (
    <div className="publish-rejected">
      <table className="table">
        <caption>{t('publish.rejected.caption', { count: detail.errorsTotal })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('publish.result.target')}</th>
            <th scope="col">{t('publish.rejected.row')}</th>
            <th scope="col">{t('publish.rejected.code')}</th>
            <th scope="col">{t('publish.rejected.error')}</th>
          </tr>
        </thead>
        <tbody translate="no">
          {detail.errors.map((row) => (
            <tr key={`${row.sync}|${row.target}|${row.key}`}>
              <td>
                {row.sync} {row.target}
              </td>
              <td>{row.key}</td>
              <td>
                <code>{row.code}</code>
              </td>
              <td>{row.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more > 0 ? (
        <p className="panel__description">
          <a href={routeHref({ page: 'runs', runId })}>
            {t('publish.rejected.more', { count: more, total: format.integer(detail.errorsTotal) })}
          </a>
        </p>
      ) : null}
    </div>
  );
}
