import { useTranslation } from 'react-i18next';
import { useFormat } from '../../format/format.ts';
import { targetLabel } from './PlanView.tsx';
import type { SyncPlanData, SyncProgressEventData } from './publishClient.ts';

export function progressKey(event: { sync: string; target: string }): string {
  return `${event.sync}|${event.target}`;
}

/** Live progress per target of a running publish, from the call's event stream. */
export function PublishProgress({
  plan,
  progress,
}: {
  plan: SyncPlanData;
  progress: ReadonlyMap<string, SyncProgressEventData>;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <ul className="publish-progress" aria-label={t('publish.progress.title')}>
      {plan.targets.map((target) => {
        const event = progress.get(progressKey(target));
        const label = `${t(`publish.sync.${target.sync}`)}: ${targetLabel(target)}`;
        const total = event?.total ?? 0;
        const done = Math.min(event?.done ?? 0, total);
        return (
          <li key={progressKey(target)} className="publish-progress__item">
            <span className="publish-progress__label" translate="no">
              {label}
            </span>
            <progress
              className="publish-progress__bar"
              aria-label={label}
              value={done}
              max={Math.max(total, 1)}
            />
            <span className="publish-progress__count num">
              {event
                ? t('publish.progress.count', { done: format.integer(done), total: format.integer(total) })
                : t('publish.progress.waiting')}
            </span>
            {event?.message ? (
              <span className="publish-progress__message" translate="no">
                {event.message}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
