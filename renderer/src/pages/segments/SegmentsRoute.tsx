import type { SegmentTarget } from '../../shell/route.ts';
import { NewSegmentEditor, SavedSegmentEditor } from './SegmentEditorPage.tsx';
import { SegmentsListPage } from './SegmentsListPage.tsx';

/** `#/segments` → the list; `#/segments/<name>` → a saved segment; `#/segments/+new` → a new one. */
export function SegmentsRoute({ segment }: { segment: SegmentTarget | null }) {
  if (segment === null) return <SegmentsListPage />;
  if (segment.kind === 'new') return <NewSegmentEditor />;
  return <SavedSegmentEditor key={segment.name} name={segment.name} />;
}
