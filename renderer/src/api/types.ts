import type {
  CustomerProfile,
  CustomerProfileInput,
  CustomerSearchInput,
  CustomerSearchResult,
  Overview,
  OverviewInput,
} from '../../../core/insights/schemas.ts';

/** What an oRPC client accepts as a call's second argument; the renderer passes TanStack Query's signal. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** The open workspace as the header shows it. */
export interface WorkspaceInfo {
  /** Display name: the workspace's configured name, else its folder name. */
  name: string;
  /** Absolute folder of the workspace (shown as a tooltip; never a customer datum). */
  dir?: string;
  /** as_of of the published tables (null before the first build), if the API sends it with the info. */
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
};

export type {
  CustomerProfile,
  CustomerProfileInput,
  CustomerSearchInput,
  CustomerSearchResult,
  Overview,
  OverviewInput,
};
