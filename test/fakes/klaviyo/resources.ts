/**
 * JSON:API resource objects in the shapes of the spec's response schemas, with sparse fieldsets. Links are
 * absolute `https://` URLs with a trailing slash, like Klaviyo's (`https://a.klaviyo.com/api/lists/Y6nRLr/`).
 */
import type {
  ImportErrorRecord,
  ImportJobRecord,
  ListRecord,
  ProfileLocation,
  ProfileRecord,
} from './types.ts';

const LOCATION_KEYS: readonly (keyof ProfileLocation)[] = [
  'address1',
  'address2',
  'city',
  'country',
  'latitude',
  'longitude',
  'region',
  'zip',
  'timezone',
  'ip',
];

const PROFILE_ATTRIBUTE_KEYS = [
  'email',
  'phone_number',
  'external_id',
  'first_name',
  'last_name',
  'organization',
  'locale',
  'title',
  'image',
  'created',
  'updated',
  'last_event_date',
] as const;

/** A sparse fieldset (`fields[x]=a,b.c`) as top-level names plus dotted sub-fields; null means "everything". */
export class Fieldset {
  private readonly top = new Set<string>();
  private readonly nested = new Map<string, Set<string>>();
  private all = true;

  constructor(fields: string[] | null) {
    if (fields === null) return;
    for (const field of fields) {
      const dot = field.indexOf('.');
      if (dot < 0) {
        this.top.add(field);
        continue;
      }
      const head = field.slice(0, dot);
      const sub = this.nested.get(head) ?? new Set<string>();
      sub.add(field.slice(dot + 1).split('.')[0] ?? '');
      this.nested.set(head, sub);
    }
    this.all = false;
  }

  has(field: string): boolean {
    return this.all || this.top.has(field) || this.nested.has(field);
  }

  /** Sub-keys to keep of an object field, or null for all of them. */
  sub(field: string): Set<string> | null {
    if (this.all || this.top.has(field)) return null;
    return this.nested.get(field) ?? null;
  }
}

function pick<T extends object>(value: T, keys: Set<string> | null): Partial<T> {
  if (keys === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => keys.has(k))) as Partial<T>;
}

export function profileResource(
  profile: ProfileRecord,
  origin: string,
  fields: Fieldset = new Fieldset(null),
) {
  const attributes: Record<string, unknown> = {};
  for (const key of PROFILE_ATTRIBUTE_KEYS) if (fields.has(key)) attributes[key] = profile[key];
  if (fields.has('location')) {
    const full: Record<string, unknown> = {};
    for (const key of LOCATION_KEYS) full[key] = profile.location[key] ?? null;
    attributes['location'] = pick(full, fields.sub('location'));
  }
  if (fields.has('properties')) attributes['properties'] = profile.properties;
  const self = `${origin}/api/profiles/${profile.id}/`;
  return {
    type: 'profile',
    id: profile.id,
    attributes,
    relationships: {
      lists: { links: { self: `${self}relationships/lists/`, related: `${self}lists/` } },
      segments: { links: { self: `${self}relationships/segments/`, related: `${self}segments/` } },
    },
    links: { self },
  };
}

export function listResource(
  list: ListRecord,
  origin: string,
  fields: Fieldset = new Fieldset(null),
  withProfileCount = false,
) {
  const attributes: Record<string, unknown> = {};
  if (fields.has('name')) attributes['name'] = list.name;
  if (fields.has('created')) attributes['created'] = list.created;
  if (fields.has('updated')) attributes['updated'] = list.updated;
  if (fields.has('opt_in_process')) attributes['opt_in_process'] = list.opt_in_process;
  if (withProfileCount) attributes['profile_count'] = list.members.size;
  const self = `${origin}/api/lists/${list.id}/`;
  return {
    type: 'list',
    id: list.id,
    attributes,
    relationships: {
      profiles: { links: { self: `${self}relationships/profiles/`, related: `${self}profiles/` } },
      tags: { links: { self: `${self}relationships/tags/`, related: `${self}tags/` } },
      'flow-triggers': {
        links: { self: `${self}relationships/flow-triggers/`, related: `${self}flow-triggers/` },
      },
    },
    links: { self },
  };
}

export function importJobResource(
  job: ImportJobRecord,
  origin: string,
  fields: Fieldset = new Fieldset(null),
) {
  const all: Record<string, unknown> = {
    status: job.status,
    created_at: job.created_at,
    total_count: job.total_count,
    completed_count: job.completed_count,
    failed_count: job.failed_count,
    completed_at: job.completed_at,
    expires_at: job.expires_at,
    started_at: job.started_at,
  };
  const attributes = Object.fromEntries(Object.entries(all).filter(([key]) => fields.has(key)));
  const self = `${origin}/api/profile-bulk-import-jobs/${job.id}/`;
  return {
    type: 'profile-bulk-import-job',
    id: job.id,
    attributes,
    relationships: {
      lists: {
        data: job.list_id === null ? [] : [{ type: 'list', id: job.list_id }],
        links: { self: `${self}relationships/lists/`, related: `${self}lists/` },
      },
      profiles: { links: { self: `${self}relationships/profiles/`, related: `${self}profiles/` } },
      'import-errors': { links: { related: `${self}import-errors/` } },
    },
    links: { self },
  };
}

export function importErrorResource(error: ImportErrorRecord, fields: Fieldset = new Fieldset(null)) {
  const all: Record<string, unknown> = {
    code: error.code,
    title: error.title,
    detail: error.detail,
    source: pick(error.source, fields.sub('source')),
    original_payload: error.original_payload,
  };
  return {
    type: 'import-error',
    id: error.id,
    attributes: Object.fromEntries(Object.entries(all).filter(([key]) => fields.has(key))),
  };
}
