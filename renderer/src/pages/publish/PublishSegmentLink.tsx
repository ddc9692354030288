import { useTranslation } from 'react-i18next';
import { routeHref } from '../../shell/route.ts';

/**
 * "Publish" for one saved segment (the segment editor mounts it): opens the Publish page with the segment's list
 * sync and the profile sync chosen, and plans them at once.
 */
export function PublishSegmentLink({ segment, className }: { segment: string; className?: string }) {
  const { t } = useTranslation();
  return (
    <a className={className ?? 'button'} href={routeHref({ page: 'publish', segment })}>
      {t('publish.segmentLink')}
    </a>
  );
}
