import { memo, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../../api/clientContext.tsx';
import { useSegmentPreview } from '../../../api/queries.ts';
import type { SegmentPreview } from '../../../api/types.ts';
import { Panel } from '../../../components/Panel.tsx';
import { Loading } from '../../../components/StateViews.tsx';
import { useDebouncedValue } from '../../customers/useDebouncedValue.ts';
import { BreakdownCharts } from './BreakdownCharts.tsx';
import { MembersTable } from './MembersTable.tsx';
import { OverlapMatrixPanel } from './OverlapMatrix.tsx';
import { OverlapPanel, PriorityPanel } from './OverlapPanel.tsx';
import { hasInsightCalls } from './insightQueries.ts';
import { WhatIfDiff } from './WhatIfDiff.tsx';
import { WhyPanel } from './WhyPanel.tsx';
import './insights.css';

/**
 * The input every insight call shares: the editor's current definition and the saved segment it edits. The
 * panels get null while a newer edit is being counted, and show their last answer until it is in.
 */
export interface DraftInput {
  definition: Record<string, unknown>;
  savedName?: string;
}

/**
 * The insights wait for the rules to rest this long, longer than the count's 50 ms (SegmentEditorPage
 * PREVIEW_DEBOUNCE_MS): the engine answers one call at a time, and while a marketer types, the count comes
 * first and the heavier insights (diff, breakdowns, members) run once they pause. The preview query is the
 * same as the count's, so it is not fetched twice.
 */
export const INSIGHTS_DEBOUNCE_MS = 300;

/**
 * The segment editor's insights on its current, unsaved definition: the what-if diff against the saved file
 * and the last publish, breakdowns, overlaps (with each saved segment, and the matrix of every pair), the priority-group simulation, a page of members and "why is
 * this customer in / out". Every part has its own query; an edit starts new ones and aborts the stale.
 * The preview (breakdowns, overlaps) is the same query as the editor's count, so it is fetched once.
 */
export function SegmentInsights(props: { definition: Record<string, unknown>; savedName: string | null }) {
  // A client without the insight calls (a test's fake of the editor's calls) gets the editor without them.
  return hasInsightCalls(useClient()) ? <InsightPanels {...props} /> : null;
}

function InsightPanels({
  definition,
  savedName,
}: {
  definition: Record<string, unknown>;
  savedName: string | null;
}) {
  const debounced = useDebouncedValue(definition, INSIGHTS_DEBOUNCE_MS);
  const draft = useMemo<DraftInput>(
    () => ({ definition: debounced, ...(savedName ? { savedName } : {}) }),
    [debounced, savedName],
  );
  const preview = useSegmentPreview({ definition: debounced });
  // The insights start once the count of the same definition is on screen: the engine answers one call at a
  // time, and the live count must not wait behind a diff. While the rules are edited they show the last
  // counted definition.
  const counted = preview.isSuccess && !preview.isPlaceholderData;
  const [settled, setSettled] = useState<DraftInput | null>(null);
  useEffect(() => {
    if (counted) setSettled(draft);
  }, [counted, draft]);
  // A newer edit is being counted: the insights of the last one still running would hold the engine (one call
  // at a time) while the new count waits. Their queries lose their observers now, which aborts their requests
  // (the service interrupts their DuckDB queries); the panels keep their last answer meanwhile.
  const active = settled !== null && settled.definition === debounced ? settled : null;
  const { t } = useTranslation();
  if (preview.isError)
    return (
      <div className="segment-insights" data-testid="segment-insights">
        <Panel title={t('segmentInsights.title')}>
          <p className="note">{t('segmentInsights.fixProblems')}</p>
        </Panel>
      </div>
    );
  if (!settled)
    return (
      <div className="segment-insights" data-testid="segment-insights">
        <Loading rows={4} />
      </div>
    );
  return <Panels active={active} shown={preview.data} />;
}

/**
 * The panels depend only on the settled draft and its preview. The editor re-renders this component at every
 * keystroke; drawing the charts again each time (recharts) delayed the live count on screen by tens of ms.
 */
const Panels = memo(function Panels({
  active,
  shown,
}: {
  active: DraftInput | null;
  shown: SegmentPreview | undefined;
}) {
  return (
    <div className="segment-insights" data-testid="segment-insights">
      <WhatIfDiff draft={active} />
      <BreakdownCharts draft={active} preview={shown} />
      <div className="insights__pair">
        <OverlapPanel preview={shown} />
        <PriorityPanel draft={active} />
      </div>
      <OverlapMatrixPanel draft={active} />
      <MembersTable draft={active} />
      <WhyPanel draft={active} />
    </div>
  );
});
