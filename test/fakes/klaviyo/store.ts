/**
 * In-memory account state plus the indexes that keep a million-profile benchmark linear: identifier → id
 * maps, an id-sorted array for cursor pages, per-profile event lists and the set of event dedupe keys.
 * Handlers mutate state only through these methods so that the indexes never drift from `state`.
 */
import { IdGenerator } from './ids.ts';
import { klaviyoTimestamp } from './time.ts';
import type {
  AccountRecord,
  EventRecord,
  FakeCounters,
  KlaviyoFakeState,
  ListRecord,
  ProfileRecord,
} from './types.ts';

export type IdentifierField = 'email' | 'phone_number' | 'external_id';
export const IDENTIFIER_FIELDS: readonly IdentifierField[] = ['email', 'external_id', 'phone_number'];

interface ScheduledTask {
  dueMs: number;
  seq: number;
  run: (nowMs: number) => void;
}

function emptyCounters(): FakeCounters {
  return {
    requests: 0,
    throttled: 0,
    rateLimited: 0,
    faults: { throttle429: 0, error500: 0, error503: 0, drop: 0, dropAfterProcessing: 0 },
    injectedProfileErrors: 0,
    eventsDeduplicated: 0,
    statuses: {},
  };
}

function emptyState(): KlaviyoFakeState {
  return {
    profiles: new Map(),
    lists: new Map(),
    events: [],
    importJobs: new Map(),
    deletionJobs: new Map(),
    requests: [],
    counters: emptyCounters(),
  };
}

export function eventKey(profileId: string, metric: string, uniqueId: string): string {
  return `${profileId}\u0000${metric}\u0000${uniqueId}`;
}

export class FakeStore {
  readonly state: KlaviyoFakeState = emptyState();
  /** Configuration rather than state: `reset()` keeps it, as a real account keeps its identity. */
  readonly account: AccountRecord;
  readonly ids = new IdGenerator();
  private readonly indexes: Record<IdentifierField, Map<string, string>> = {
    email: new Map(),
    phone_number: new Map(),
    external_id: new Map(),
  };
  private sortedProfileIds: string[] = [];
  private readonly eventsByProfile = new Map<string, EventRecord[]>();
  private readonly eventKeys = new Set<string>();
  private readonly memberCache = new Map<string, { size: number; version: number; ids: string[] }>();
  private readonly memberVersions = new Map<string, number>();
  private tasks: ScheduledTask[] = [];
  private taskSeq = 0;
  private timers = new Set<NodeJS.Timeout>();

  constructor(account: AccountRecord) {
    this.account = account;
  }

  /** Empties the state in place, so references to `state.profiles` etc. held by tests stay valid. */
  reset(): void {
    this.state.profiles.clear();
    this.state.lists.clear();
    this.state.events.length = 0;
    this.state.importJobs.clear();
    this.state.deletionJobs.clear();
    this.state.requests.length = 0;
    Object.assign(this.state.counters, emptyCounters());
    for (const index of Object.values(this.indexes)) index.clear();
    this.sortedProfileIds = [];
    this.eventsByProfile.clear();
    this.eventKeys.clear();
    this.memberCache.clear();
    this.memberVersions.clear();
    this.tasks = [];
    this.cancelTimers();
  }

  cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  // ---- profiles -------------------------------------------------------------------------------------

  static normalise(field: IdentifierField, value: string): string {
    return field === 'email' ? value.trim().toLowerCase() : value;
  }

  profileIdBy(field: IdentifierField, value: string): string | undefined {
    return this.indexes[field].get(FakeStore.normalise(field, value));
  }

  profileBy(field: IdentifierField, value: string): ProfileRecord | undefined {
    const id = this.profileIdBy(field, value);
    return id === undefined ? undefined : this.state.profiles.get(id);
  }

  createProfile(nowMs: number): ProfileRecord {
    const now = klaviyoTimestamp(nowMs);
    const profile: ProfileRecord = {
      id: this.ids.ulid(nowMs),
      email: null,
      phone_number: null,
      external_id: null,
      first_name: null,
      last_name: null,
      organization: null,
      locale: null,
      title: null,
      image: null,
      location: {},
      properties: {},
      created: now,
      updated: now,
      last_event_date: null,
    };
    this.state.profiles.set(profile.id, profile);
    this.sortedProfileIds.push(profile.id);
    return profile;
  }

  /** Sets an identifier and moves the index entry; the caller has checked that no other profile owns it. */
  setIdentifier(profile: ProfileRecord, field: IdentifierField, value: string | null): void {
    const index = this.indexes[field];
    const old = profile[field];
    if (old !== null && index.get(old) === profile.id) index.delete(old);
    const stored = value === null ? null : FakeStore.normalise(field, value);
    profile[field] = stored;
    if (stored !== null) index.set(stored, profile.id);
  }

  /** Ids of all profiles in id (= creation) order. Do not mutate. */
  profileIdsInOrder(): readonly string[] {
    return this.sortedProfileIds;
  }

  deleteProfile(id: string): boolean {
    const profile = this.state.profiles.get(id);
    if (!profile) return false;
    for (const field of IDENTIFIER_FIELDS) this.setIdentifier(profile, field, null);
    this.state.profiles.delete(id);
    const at = this.sortedProfileIds.indexOf(id);
    if (at >= 0) this.sortedProfileIds.splice(at, 1);
    for (const list of this.state.lists.values()) {
      if (list.members.delete(id)) this.touchMembers(list.id);
    }
    const events = this.eventsByProfile.get(id);
    if (events && events.length > 0) {
      for (const event of events) this.eventKeys.delete(eventKey(id, event.metric, event.unique_id));
      const all = this.state.events;
      let kept = 0;
      for (const event of all) if (event.profile_id !== id) all[kept++] = event;
      all.length = kept;
    }
    this.eventsByProfile.delete(id);
    return true;
  }

  // ---- lists ----------------------------------------------------------------------------------------

  createList(name: string, optIn: ListRecord['opt_in_process'], nowMs: number): ListRecord {
    const now = klaviyoTimestamp(nowMs);
    const list: ListRecord = {
      id: this.ids.listId(),
      name,
      opt_in_process: optIn,
      members: new Set(),
      created: now,
      updated: now,
    };
    this.state.lists.set(list.id, list);
    return list;
  }

  addMembers(list: ListRecord, profileIds: Iterable<string>): void {
    for (const id of profileIds) list.members.add(id);
    this.touchMembers(list.id);
  }

  removeMembers(list: ListRecord, profileIds: Iterable<string>): void {
    for (const id of profileIds) list.members.delete(id);
    this.touchMembers(list.id);
  }

  private touchMembers(listId: string): void {
    this.memberVersions.set(listId, (this.memberVersions.get(listId) ?? 0) + 1);
  }

  /** Members in join order, cached between changes so that paging through a big list stays linear. */
  memberIds(list: ListRecord): readonly string[] {
    const version = this.memberVersions.get(list.id) ?? 0;
    const cached = this.memberCache.get(list.id);
    if (cached && cached.version === version && cached.size === list.members.size) return cached.ids;
    const ids = [...list.members];
    this.memberCache.set(list.id, { size: list.members.size, version, ids });
    return ids;
  }

  // ---- events ---------------------------------------------------------------------------------------

  hasEvent(profileId: string, metric: string, uniqueId: string): boolean {
    return this.eventKeys.has(eventKey(profileId, metric, uniqueId));
  }

  /** Stores the event unless its (profile, metric, unique_id) exists; returns whether it was stored. */
  addEvent(event: EventRecord): boolean {
    const key = eventKey(event.profile_id, event.metric, event.unique_id);
    if (this.eventKeys.has(key)) {
      this.state.counters.eventsDeduplicated += 1;
      return false;
    }
    this.eventKeys.add(key);
    this.state.events.push(event);
    let perProfile = this.eventsByProfile.get(event.profile_id);
    if (!perProfile) {
      perProfile = [];
      this.eventsByProfile.set(event.profile_id, perProfile);
    }
    perProfile.push(event);
    const profile = this.state.profiles.get(event.profile_id);
    if (profile && (profile.last_event_date === null || profile.last_event_date < event.time)) {
      profile.last_event_date = event.time;
    }
    return true;
  }

  eventsOf(profileId: string): readonly EventRecord[] {
    return this.eventsByProfile.get(profileId) ?? [];
  }

  // ---- asynchronous jobs ----------------------------------------------------------------------------

  /**
   * Runs `run` once `dueMs` has passed: on the first request after that moment, or from a timer, whichever
   * comes first. Tasks run in (due time, creation) order, so jobs never overtake each other.
   */
  schedule(dueMs: number, run: (nowMs: number) => void): void {
    this.tasks.push({ dueMs, seq: this.taskSeq++, run });
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.runDue(Date.now());
      },
      Math.max(0, dueMs - Date.now()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  runDue(nowMs: number): void {
    if (this.tasks.length === 0) return;
    const due = this.tasks.filter((task) => task.dueMs <= nowMs);
    if (due.length === 0) return;
    this.tasks = this.tasks.filter((task) => task.dueMs > nowMs);
    due.sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    for (const task of due) task.run(nowMs);
  }

  /** Runs every pending task now, as if all job delays had passed. */
  runAll(): void {
    const pending = [...this.tasks].sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    this.tasks = [];
    for (const task of pending) task.run(Date.now());
  }

  get pendingTasks(): number {
    return this.tasks.length;
  }
}
