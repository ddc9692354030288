import type { SegmentTarget } from '../../shell/route.ts';
import { NewSegmentEditor, SavedSegmentEditor } from './SegmentEditorPage.tsx';
import { SegmentsListPage } from './SegmentsListPage.tsx';
import { TemplatesPage } from './templates/TemplatesPage.tsx';

/**
 * `#/segments` → the list; `#/segments/<name>` → a saved segment; `#/segments/+new` → a new one (from a template:
 * `+new?template=NAME`); `#/segments/+templates` → the template gallery.
 */
export function SegmentsRoute({ segment }: { segment: SegmentTarget | null }) {
  if (segment === null) return <SegmentsListPage />;
  if (segment.kind === 'new') return <NewSegmentEditor />;
  if (segment.kind === 'templates') return <TemplatesPage />;
  return <SavedSegmentEditor key={segment.name} name={segment.name} />;
}
