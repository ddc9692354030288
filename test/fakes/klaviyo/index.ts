/**
 * Klaviyo contract server for tests and benchmarks: a local node:http server that behaves like the parts of
 * Klaviyo's REST API (revision 2026-07-15) a reverse-ETL engine uses. See README.md in this folder for the
 * behaviour choices where Klaviyo's own behaviour is not documented.
 *
 *   const fake = await startKlaviyoFake({ rateLimits: 'off' });
 *   const api = new ProfilesApi(new ApiKeySession(fake.apiKey));
 *   api.basePath = fake.url;
 *   …
 *   await fake.close();
 */
import { DEFAULT_ACCOUNT } from './accounts.ts';
import { FakeHttpServer, type ArrivalHook } from './server.ts';
import { FakeStore } from './store.ts';
import type {
  AccountRecord,
  EventRecord,
  FaultOptions,
  KlaviyoFakeOptions,
  KlaviyoFakeState,
  ListRecord,
  ProfileRecord,
  RequestLogEntry,
} from './types.ts';

export type * from './types.ts';
export type { ArrivalHook } from './server.ts';
export { DEFAULT_ACCOUNT } from './accounts.ts';

export const DEFAULT_API_KEY = 'pk_test_c360_0123456789abcdef';

export interface KlaviyoFake {
  /** `http://127.0.0.1:PORT`: the value for the SDK's `api.basePath`. */
  readonly url: string;
  readonly port: number;
  /** The first accepted key (the default one unless `options.apiKeys` says otherwise). */
  readonly apiKey: string;
  /** The account `GET /api/accounts` names for every accepted key. */
  readonly account: AccountRecord;
  /** Live state; mutate only to set up scenarios, the server keeps its own indexes. */
  readonly state: KlaviyoFakeState;
  profileByEmail(email: string): ProfileRecord | undefined;
  /** Oldest list with this exact name. */
  listByName(name: string): ListRecord | undefined;
  /** Emails of the list's members, sorted; [] when the list does not exist. Members without email are left out. */
  listMemberEmails(listName: string): string[];
  /** Events of the profile with this email, in arrival order. */
  eventsFor(email: string): EventRecord[];
  /** Logged requests other than GET (what changed, or tried to change, the account). */
  writeRequests(): RequestLogEntry[];
  /** Replaces the fault configuration (undefined = no faults) and restarts its PRNG from the seed. */
  setFaults(faults: FaultOptions | undefined): void;
  /**
   * Calls `hook({ index, method, path })` on every request as it arrives, before its body is read — e.g. to SIGKILL a
   * child process at its Nth request. `index` is 1-based and restarts at 1 after `reset()`. Returns an
   * unsubscribe function.
   */
  onRequest(hook: ArrivalHook): () => void;
  /** Completes every queued import and deletion job now, without waiting for `jobDelayMs`. */
  completeJobs(): void;
  /** Resolves once no job is pending (polls the scheduler; each job completes after `jobDelayMs`). */
  waitForJobs(timeoutMs?: number): Promise<void>;
  /** Empties the state, rate-limit windows and request numbering, and restarts the fault PRNG. */
  reset(): void;
  close(): Promise<void>;
}

export async function startKlaviyoFake(options: KlaviyoFakeOptions = {}): Promise<KlaviyoFake> {
  const apiKeys = options.apiKeys ?? [DEFAULT_API_KEY];
  const apiKey = apiKeys[0];
  if (apiKey === undefined) throw new Error('options.apiKeys must hold at least one key');
  const store = new FakeStore({ ...DEFAULT_ACCOUNT, ...options.account });
  const http = new FakeHttpServer(store, options, apiKeys);
  const address = await http.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const fake: KlaviyoFake = {
    url: `http://${host}:${address.port}`,
    port: address.port,
    apiKey,
    account: store.account,
    state: store.state,
    profileByEmail: (email) => store.profileBy('email', email),
    listByName: (name) => {
      for (const list of store.state.lists.values()) if (list.name === name) return list;
      return undefined;
    },
    listMemberEmails: (listName) => {
      const list = fake.listByName(listName);
      if (!list) return [];
      const emails: string[] = [];
      for (const id of list.members) {
        const email = store.state.profiles.get(id)?.email;
        if (email) emails.push(email);
      }
      return emails.sort();
    },
    eventsFor: (email) => {
      const id = store.profileIdBy('email', email);
      return id === undefined ? [] : [...store.eventsOf(id)];
    },
    writeRequests: () => store.state.requests.filter((entry) => entry.method !== 'GET'),
    setFaults: (faults) => http.faults.configure(faults),
    onRequest: (hook) => http.onRequest(hook),
    completeJobs: () => store.runAll(),
    waitForJobs: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (store.pendingTasks > 0) {
        if (Date.now() > deadline)
          throw new Error(`${store.pendingTasks} Klaviyo fake jobs still pending after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        store.runDue(Date.now());
      }
    },
    reset: () => {
      store.reset();
      http.limiter.reset();
      http.resetArrivals();
      http.faults.configure(http.faults.current);
    },
    close: () => http.close(),
  };
  return fake;
}
