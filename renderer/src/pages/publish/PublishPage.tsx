import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/clientContext.tsx';
import { summarizeError } from '../../api/errors.ts';
import { ErrorState, Loading } from '../../components/StateViews.tsx';
import { routeHref } from '../../shell/route.ts';
import { GuardrailCards, guardrailKey } from './GuardrailCards.tsx';
import { PlanView } from './PlanView.tsx';
import { progressKey, PublishProgress } from './PublishProgress.tsx';
import { PublishResult, ResultTable } from './PublishResult.tsx';
import { SyncChoice, type Selection } from './SyncChoice.tsx';
import {
  findPublishCalls,
  missingCallsError,
  publishCalls,
  runSync,
  runsQueryKeys,
  type GuardrailApproval,
  type PublishCalls,
  type PublishOutcome,
  type SyncProgressEventData,
} from './publishClient.ts';
import './publish.css';

/** Where a publish stands: choosing, planning (dry run), reviewing the plan, applying it, or after. */
type Phase =
  | { step: 'choose' }
  | { step: 'planning' }
  | { step: 'planFailed'; error: unknown }
  | { step: 'review'; outcome: PublishOutcome; stale: string | null; failed: unknown }
  | { step: 'publishing'; outcome: PublishOutcome }
  | { step: 'done'; plan: PublishOutcome; result: PublishOutcome }
  | { step: 'cancelled'; outcome: PublishOutcome };

/** A plan the server refuses because the data or the account changed since it was made. */
const STALE_CODES = new Set(['STALE_PLAN', 'SYNC_BLOCKED']);

function initialSelection(segment: string | null): Selection {
  return segment
    ? { syncs: ['profiles', 'lists'], segments: [segment] }
    : { syncs: ['profiles', 'lists', 'events'], segments: [] };
}

/** The last run's record after a cancel: the server finishes the calls already sent, then ends it `cancelled`. */
function CancelledRun() {
  const { t } = useTranslation();
  const calls = publishCalls(useClient());
  const last = useQuery({
    queryKey: runsQueryKeys.list(1),
    queryFn: ({ signal }) => calls.runs.list({ limit: 1 }, { signal }),
    refetchInterval: (query) => (query.state.data?.[0]?.status === 'running' ? 500 : false),
  });
  const run = last.data?.[0];
  if (!run) return null;
  return (
    <div className="publish-result">
      <p role="status">
        <span className={`badge badge--${run.status}`}>{t(`runs.status.${run.status}`)}</span>{' '}
        <a href={`#/runs/${encodeURIComponent(run.runId)}`}>{t('publish.result.showRun')}</a>
      </p>
      <ResultTable rows={run.targets} />
    </div>
  );
}

/**
 * Publish to Klaviyo: choose the syncs and segments, review the dry run (creates / updates / adds / removes,
 * samples, API calls, the account), approve what a guardrail holds back, then apply exactly the reviewed plan
 * with live progress, a Cancel that ends the run on the server, and the result with a retry.
 */
export function PublishPage({
  segment,
  retry = null,
}: {
  segment: string | null;
  /** A run whose rejected rows to plan again (`#/publish?retry=<run id>`, from the Runs page). */
  retry?: string | null;
}) {
  const client = useClient();
  const calls = useMemo(() => findPublishCalls(client), [client]);
  if (!calls) return <ErrorState error={missingCallsError()} />;
  return <PublishFlow segment={segment} retry={retry} calls={calls} />;
}

/** The plan's retry note: which run's rejected rows it holds, with a link to that run. */
function RetryNote({ runId }: { runId: string }) {
  const { t } = useTranslation();
  return (
    <p className="publish-note" role="note">
      {t('publish.plan.retryOf', { runId })}{' '}
      <a href={routeHref({ page: 'runs', runId })}>{t('publish.result.showRun')}</a>
    </p>
  );
}

function PublishFlow({
  segment,
  retry,
  calls,
}: {
  segment: string | null;
  retry: string | null;
  calls: PublishCalls;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [selection, setSelection] = useState<Selection>(() => initialSelection(segment));
  const [phase, setPhase] = useState<Phase>({ step: 'choose' });
  const [approved, setApproved] = useState<ReadonlySet<string>>(new Set());
  const [progress, setProgress] = useState<ReadonlyMap<string, SyncProgressEventData>>(new Map());
  const running = useRef<AbortController | null>(null);

  // Leaving the page stops a plan or publish in flight (the server ends the run `cancelled`).
  useEffect(() => () => running.current?.abort(), []);

  const plan = useCallback(
    async (chosen: Selection, then?: (outcome: PublishOutcome) => void, retryRunId?: string) => {
      running.current?.abort();
      const controller = new AbortController();
      running.current = controller;
      setPhase({ step: 'planning' });
      setApproved(new Set());
      try {
        const outcome = await runSync(
          calls,
          {
            syncs: chosen.syncs,
            ...(chosen.segments.length ? { segments: chosen.segments } : {}),
            // "Retry failed rows": only the rows that run rejected and that are still failing.
            ...(retryRunId ? { retryFailed: { runId: retryRunId } } : {}),
            dryRun: true,
          },
          { signal: controller.signal },
        );
        if (controller.signal.aborted) return;
        setPhase({ step: 'review', outcome, stale: null, failed: null });
        then?.(outcome);
      } catch (error) {
        if (!controller.signal.aborted) setPhase({ step: 'planFailed', error });
      }
    },
    [calls],
  );

  const publish = useCallback(
    async (reviewed: PublishOutcome, approvedKeys: ReadonlySet<string>) => {
      const controller = new AbortController();
      running.current = controller;
      const approvals: GuardrailApproval[] = reviewed.plan.guardrails
        .filter((guardrail) => approvedKeys.has(guardrailKey(guardrail)))
        .map(({ id, sync, target }) => ({ id, sync, target }));
      const allApproved =
        reviewed.plan.guardrails.length > 0 && approvals.length === reviewed.plan.guardrails.length;
      setProgress(new Map());
      setPhase({ step: 'publishing', outcome: reviewed });
      try {
        const result = await runSync(
          calls,
          {
            syncs: reviewed.plan.request.syncs,
            ...(reviewed.plan.request.segments ? { segments: reviewed.plan.request.segments } : {}),
            // A retry plan applies as the retry it was made for (the server refuses it otherwise).
            ...(reviewed.plan.request.retryFailed ? { retryFailed: reviewed.plan.request.retryFailed } : {}),
            dryRun: false,
            plan: reviewed.plan,
            // A server that knows per-guardrail approvals applies what is approved; `approve` is all of them.
            approve: allApproved,
            ...(approvals.length ? { approvals } : {}),
          },
          {
            signal: controller.signal,
            onEvent: (event) => setProgress((current) => new Map(current).set(progressKey(event), event)),
          },
        );
        setPhase({ step: 'done', plan: reviewed, result });
      } catch (error) {
        if (controller.signal.aborted) setPhase({ step: 'cancelled', outcome: reviewed });
        else if (STALE_CODES.has(summarizeError(error).code))
          setPhase({ step: 'review', outcome: reviewed, stale: summarizeError(error).message, failed: null });
        else setPhase({ step: 'review', outcome: reviewed, stale: null, failed: error });
      } finally {
        void queryClient.invalidateQueries({ queryKey: ['runs.list'] });
      }
    },
    [calls, queryClient],
  );

  // From a segment's Publish link: plan its list and the profiles at once (again if React remounts the page).
  useEffect(() => {
    if (segment === null) return;
    void plan(initialSelection(segment));
    return () => running.current?.abort();
  }, [segment, plan]);

  // From a run's "Retry failed rows" on the Runs page: plan that run's rejected rows of every sync.
  useEffect(() => {
    if (retry === null) return;
    void plan(initialSelection(null), undefined, retry);
    return () => running.current?.abort();
  }, [retry, plan]);

  const busy = phase.step === 'planning' || phase.step === 'publishing';
  const review = phase.step === 'review' ? phase : null;
  const reviewed = review?.outcome ?? (phase.step === 'publishing' ? phase.outcome : null);
  const guardrails = reviewed?.plan.guardrails ?? [];
  const unapproved = guardrails.filter((guardrail) => !approved.has(guardrailKey(guardrail))).length;
  const canPublish =
    review !== null &&
    review.stale === null &&
    review.outcome.plan.account !== null &&
    review.outcome.plan.targets.length > 0;

  return (
    <div className="page publish-page">
      <div className="page__header">
        <h1 className="page__title">{t('publish.title')}</h1>
        <p className="page__subtitle">{t('publish.subtitle')}</p>
      </div>

      <SyncChoice
        selection={selection}
        onChange={setSelection}
        disabled={busy}
        onPlan={() => void plan(selection)}
      />

      {phase.step === 'planning' ? <Loading label={t('publish.planning')} /> : null}
      {phase.step === 'planFailed' ? (
        <ErrorState
          title={t('publish.planFailed')}
          error={phase.error}
          onRetry={() => void plan(selection)}
        />
      ) : null}

      {reviewed ? (
        <section className="panel publish-review" aria-label={t('publish.plan.title')}>
          <h2 className="panel__title">{t('publish.plan.title')}</h2>
          {reviewed.plan.account === null ? (
            <p className="publish-note" role="note">
              {t('publish.plan.noKey')}
            </p>
          ) : null}
          {reviewed.plan.request.retryFailed ? (
            <RetryNote runId={reviewed.plan.request.retryFailed.runId} />
          ) : null}
          {reviewed.note ? (
            <p className="publish-note" translate="no">
              {reviewed.note}
            </p>
          ) : null}
          <GuardrailCards
            guardrails={guardrails}
            approved={approved}
            disabled={!canPublish}
            onApprove={(guardrail) => setApproved((current) => new Set(current).add(guardrailKey(guardrail)))}
          />
          <PlanView plan={reviewed.plan} />
          {review?.stale ? (
            <div className="publish-note publish-note--error" role="alert">
              <p>{t('publish.stale.title')}</p>
              <p translate="no">{review.stale}</p>
              <button type="button" className="button" onClick={() => void plan(selection)}>
                {t('publish.stale.replan')}
              </button>
            </div>
          ) : null}
          {review?.failed ? <ErrorState title={t('publish.publishFailed')} error={review.failed} /> : null}
          {phase.step === 'publishing' ? (
            <div className="publish-running">
              <h3>{t('publish.progress.title')}</h3>
              <PublishProgress plan={phase.outcome.plan} progress={progress} />
              <button
                type="button"
                className="button button--danger"
                onClick={() => running.current?.abort()}
              >
                {t('publish.cancel')}
              </button>
            </div>
          ) : (
            <div className="publish-actions">
              {unapproved > 0 && canPublish ? (
                <p className="panel__description">{t('publish.unapproved', { count: unapproved })}</p>
              ) : null}
              <button
                type="button"
                className="button button--primary"
                disabled={!canPublish}
                onClick={() => review && void publish(review.outcome, approved)}
              >
                {t('publish.publish')}
              </button>
            </div>
          )}
        </section>
      ) : null}

      {phase.step === 'done' ? (
        <PublishResult
          outcome={phase.result}
          onRetry={() =>
            void plan(selection, (outcome) => {
              // The next run resumes what this one left; guardrails tripped again wait for approval.
              if (outcome.plan.guardrails.length === 0 && outcome.plan.account)
                void publish(outcome, new Set());
            })
          }
          // A plan of this run's rejected rows alone (fixed ones with their current data), to review first.
          onRetryFailed={() => {
            const { syncs, segments } = phase.plan.plan.request;
            void plan({ syncs, segments: segments ?? [] }, undefined, phase.result.runId ?? undefined);
          }}
        />
      ) : null}
      {phase.step === 'cancelled' ? (
        <section className="panel" aria-label={t('publish.cancelled.title')}>
          <h2 className="panel__title">{t('publish.cancelled.title')}</h2>
          <p className="panel__description">{t('publish.cancelled.description')}</p>
          <CancelledRun />
          <button type="button" className="button" onClick={() => void plan(selection)}>
            {t('publish.result.retry')}
          </button>
        </section>
      ) : null}
    </div>
  );
}
