import type {
  CustomerProfile,
  CustomerProfileInput,
  CustomerSearchInput,
  CustomerSearchResult,
  Overview,
  OverviewInput,
} from '../../../core/insights/schemas.ts';
import type {
  SavedSegment,
  SegmentColumns,
  SegmentList,
  SegmentPreview,
  SegmentPreviewInput,
  SegmentSaveInput,
  SegmentValues,
  SegmentValuesInput,
} from '../../../core/api/schemas/segments.ts';

import type { SegmentListWithHistory } from '../../../core/api/schemas/segmentList.ts';
import type { KlaviyoConnection, Settings, SettingsSaveInput } from '../../../core/api/schemas/settings.ts';
import type { SegmentTemplates } from '../../../core/api/schemas/templates.ts';

type SavedSegmentInput = { segment: string };

/** What an oRPC client accepts as a call's second argument; the renderer passes TanStack Query's signal. */
export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The part of workspace.info the header shows (core/api/schemas/workspace.ts sends more: size, last build).
 */
export interface WorkspaceInfo {
  /** The workspace folder's name. */
  name: string;
  /** As-of day (YYYY-MM-DD) or instant of the published data; null before the first build. */
  asOf?: string | null;
}

/**
 * The part of the API (core/api/contract.ts) the Overview and Customers pages call. The oRPC client
 * (`ContractRouterClient<typeof contract>`) is assignable to it, and tests pass a fake under test/renderer.
 * It is the only door from the renderer to the core. A type alias, not an interface: oRPC's NestedClient
 * constraint needs the implicit index signature that only type aliases have.
 */
export type C360Client = {
  workspace: {
    info(input?: undefined, options?: CallOptions): Promise<WorkspaceInfo>;
  };
  overview: {
    get(input?: OverviewInput, options?: CallOptions): Promise<Overview>;
  };
  customers: {
    search(input: CustomerSearchInput, options?: CallOptions): Promise<CustomerSearchResult>;
    profile(input: CustomerProfileInput, options?: CallOptions): Promise<CustomerProfile>;
  };
  /** The Segments pages' calls; optional so that fakes of the other pages' tests need not carry them. */
  segments?: {
    list(input?: undefined, options?: CallOptions): Promise<SegmentListWithHistory>;
    preview(input: SegmentPreviewInput, options?: CallOptions): Promise<SegmentPreview>;
    get(input: SavedSegmentInput, options?: CallOptions): Promise<SavedSegment>;
    /** The segment editor's calls (save, the column catalogue, value pickers). */
    save?(input: SegmentSaveInput, options?: CallOptions): Promise<SavedSegment>;
    columns?(input?: undefined, options?: CallOptions): Promise<SegmentColumns>;
    values?(input: SegmentValuesInput, options?: CallOptions): Promise<SegmentValues>;
    /** The built-in templates (gallery; the editor starts a new segment from one). */
    templates?(input?: undefined, options?: CallOptions): Promise<SegmentTemplates>;
  };
  /** The Settings page's calls; optional like `segments`. */
  settings?: {
    get(input?: undefined, options?: CallOptions): Promise<Settings>;
    /** Guardrail thresholds and the profile mapping into c360.config.yaml (CONFIG_CONFLICT if it changed). */
    save?(input: SettingsSaveInput, options?: CallOptions): Promise<Settings>;
  };
  klaviyo?: {
    testConnection(input?: undefined, options?: CallOptions): Promise<KlaviyoConnection>;
  };
};

export type {
  CustomerProfile,
  CustomerProfileInput,
  CustomerSearchInput,
  CustomerSearchResult,
  Overview,
  OverviewInput,
  SavedSegment,
  SegmentList,
  SegmentPreview,
  SegmentPreviewInput,
  SegmentColumns,
  SegmentSaveInput,
  SegmentValues,
  SegmentListWithHistory,
  SegmentTemplates,
  Settings,
  KlaviyoConnection,
};
