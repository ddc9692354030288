/**
 * The route table: every served operation, matched on the normalised path. A `{param}` matches one segment
 * only, so `/api/profile-bulk-import-jobs/{job_id}` never swallows a sub-resource.
 */
import { accountRoutes } from './accounts.ts';
import { bulkImportRoutes } from './bulkImportJobs.ts';
import type { Route } from './context.ts';
import { dataPrivacyRoutes } from './dataPrivacy.ts';
import { eventRoutes } from './events.ts';
import { listRoutes } from './lists.ts';
import { OPERATION_IDS } from './operationIds.ts';
import { profileRoutes } from './profiles.ts';
import { subsetOperation } from './specSubset.ts';

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed' }
  | { kind: 'not-found' };

export const ROUTES: readonly Route[] = [
  ...bulkImportRoutes,
  ...profileRoutes,
  ...listRoutes,
  ...eventRoutes,
  ...dataPrivacyRoutes,
  ...accountRoutes,
];

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.pattern.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, regex: new RegExp(`^${source}$`), names };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly Route[] = ROUTES) {
    // Fail at start-up rather than per request if the committed spec extract and the routes disagree.
    for (const route of routes) {
      const op = subsetOperation(route.operationId);
      if (
        op.method !== route.method ||
        op.path.replace(/\{\w+\}/g, '{}') !== route.pattern.replace(/\{\w+\}/g, '{}')
      ) {
        throw new Error(
          `Route ${route.method} ${route.pattern} does not match the spec's ${op.method} ${op.path}`,
        );
      }
    }
    const covered = new Set(routes.map((r) => r.operationId));
    const uncovered = OPERATION_IDS.filter((id) => !covered.has(id));
    if (uncovered.length > 0) throw new Error(`No route serves ${uncovered.join(', ')}`);
    this.compiled = routes.map(compile);
  }

  match(method: string, path: string): RouteMatch {
    let pathMatched = false;
    for (const candidate of this.compiled) {
      const m = candidate.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (candidate.route.method !== method) continue;
      const params: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1] ?? '');
      });
      return { kind: 'found', route: candidate.route, params };
    }
    return pathMatched ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }
}
