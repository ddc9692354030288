/**
 * Profile create-or-update shared by bulk import, POST /api/profile-import and events. The endpoints differ
 * in one rule the spec states: create-or-update CLEARS a field sent as null, bulk import (and, by this fake's
 * choice, events) IGNORES nulls. Matching order: `id`, then email (case-insensitive), external_id,
 * phone_number. An identifier already owned by another profile is a `duplicate_profile` conflict.
 */
import { FakeStore, IDENTIFIER_FIELDS, type IdentifierField } from './store.ts';
import { klaviyoTimestamp } from './time.ts';
import type { ProfileLocation, ProfileRecord } from './types.ts';

export type NullPolicy = 'clear' | 'ignore';

/** Profile `attributes` as they arrive on the wire (already schema-validated). */
export interface ProfileAttributesInput {
  email?: string | null;
  phone_number?: string | null;
  external_id?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  organization?: string | null;
  locale?: string | null;
  title?: string | null;
  image?: string | null;
  location?: ProfileLocation | null;
  properties?: Record<string, unknown> | null;
  anonymous_id?: string | null;
  _kx?: string | null;
}

export interface PatchPropertiesInput {
  append?: Record<string, unknown> | null;
  unappend?: Record<string, unknown> | null;
  unset?: string | string[] | null;
}

export interface ProfileUpsertInput {
  id?: string | null;
  attributes: ProfileAttributesInput;
  patchProperties?: PatchPropertiesInput | null;
}

export interface UpsertFailure {
  code: string;
  title: string;
  detail: string;
  /** Pointer below the profile object, e.g. `/attributes/email`. */
  pointer: string;
  conflictingProfileId?: string;
}

export type UpsertOutcome =
  { ok: true; profile: ProfileRecord; created: boolean } | { ok: false; failure: UpsertFailure };

const SCALAR_FIELDS = ['first_name', 'last_name', 'organization', 'locale', 'title', 'image'] as const;
const LOCATION_FIELDS: readonly (keyof ProfileLocation)[] = [
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

// Deliberately simple: one @, no spaces, a dot in the domain, no empty labels. Klaviyo's exact rules are
// UNCONFIRMED; this rejects the usual garbage ("n/a", "foo@", "a b@c.com") without refusing odd-but-valid mail.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

function invalidField(pointer: string, detail: string): UpsertFailure {
  return { code: 'invalid', title: 'Invalid input.', detail, pointer };
}

/** Checks identifiers before any state is touched; also used by event endpoints to fail a whole request. */
export function validateProfileInput(input: ProfileUpsertInput): UpsertFailure | null {
  const { attributes } = input;
  if (typeof attributes.email === 'string' && !EMAIL.test(attributes.email.trim())) {
    return invalidField('/attributes/email', `Invalid email address: ${JSON.stringify(attributes.email)}.`);
  }
  if (typeof attributes.phone_number === 'string' && !E164.test(attributes.phone_number)) {
    return invalidField(
      '/attributes/phone_number',
      `Invalid phone number ${JSON.stringify(attributes.phone_number)}: it must be in E.164 format, e.g. +15005550006.`,
    );
  }
  const hasIdentifier = IDENTIFIER_FIELDS.some(
    (field) => typeof attributes[field] === 'string' && attributes[field] !== '',
  );
  if (!hasIdentifier && !input.id) {
    return invalidField(
      '/attributes',
      'A profile needs at least one identifier: email, phone_number or external_id (or an existing profile id).',
    );
  }
  return null;
}

function findMatch(store: FakeStore, input: ProfileUpsertInput): ProfileRecord | UpsertFailure | undefined {
  if (input.id) {
    const byId = store.state.profiles.get(input.id);
    if (!byId) {
      return {
        code: 'not_found',
        title: 'Not found.',
        detail: `No profile with id ${input.id} exists.`,
        pointer: '/id',
      };
    }
    return byId;
  }
  for (const field of IDENTIFIER_FIELDS) {
    const value = input.attributes[field];
    if (typeof value === 'string' && value !== '') {
      const found = store.profileBy(field, value);
      if (found) return found;
    }
  }
  return undefined;
}

function conflict(
  store: FakeStore,
  profileId: string | undefined,
  input: ProfileAttributesInput,
): UpsertFailure | null {
  for (const field of IDENTIFIER_FIELDS) {
    const value = input[field];
    if (typeof value !== 'string' || value === '') continue;
    const owner = store.profileIdBy(field, value);
    if (owner !== undefined && owner !== profileId) {
      return {
        code: 'duplicate_profile',
        title: 'Conflict.',
        detail: 'A profile already exists with one of these identifiers.',
        pointer: `/attributes/${field}`,
        conflictingProfileId: owner,
      };
    }
  }
  return null;
}

function applyPatch(properties: Record<string, unknown>, patch: PatchPropertiesInput): void {
  for (const [key, value] of Object.entries(patch.append ?? {})) {
    const current = properties[key];
    const base = Array.isArray(current) ? current : current === undefined ? [] : [current];
    properties[key] = [...base, ...(Array.isArray(value) ? value : [value])];
  }
  for (const [key, value] of Object.entries(patch.unappend ?? {})) {
    const current = properties[key];
    if (!Array.isArray(current)) continue;
    const drop = Array.isArray(value) ? value : [value];
    properties[key] = current.filter((item) => !drop.some((d) => JSON.stringify(d) === JSON.stringify(item)));
  }
  const unset = patch.unset;
  for (const key of unset === null || unset === undefined ? [] : Array.isArray(unset) ? unset : [unset]) {
    delete properties[key];
  }
}

function applyAttributes(
  store: FakeStore,
  profile: ProfileRecord,
  attrs: ProfileAttributesInput,
  nulls: NullPolicy,
): void {
  for (const field of IDENTIFIER_FIELDS) {
    const value = attrs[field];
    if (value === undefined || (value === null && nulls === 'ignore')) continue;
    store.setIdentifier(profile, field as IdentifierField, value === '' ? null : value);
  }
  for (const field of SCALAR_FIELDS) {
    const value = attrs[field];
    if (value === undefined || (value === null && nulls === 'ignore')) continue;
    profile[field] = value;
  }
  if (attrs.location === null) {
    if (nulls === 'clear') profile.location = {};
  } else if (attrs.location) {
    for (const key of LOCATION_FIELDS) {
      const value = attrs.location[key];
      if (value === undefined) continue;
      if (value === null) {
        if (nulls === 'clear') delete profile.location[key];
        continue;
      }
      (profile.location as Record<string, unknown>)[key] = value;
    }
  }
  if (attrs.properties === null) {
    if (nulls === 'clear') profile.properties = {};
  } else if (attrs.properties) {
    for (const [key, value] of Object.entries(attrs.properties)) {
      if (value === null) {
        if (nulls === 'clear') delete profile.properties[key];
        continue;
      }
      profile.properties[key] = value;
    }
  }
}

export function upsertProfile(
  store: FakeStore,
  input: ProfileUpsertInput,
  nulls: NullPolicy,
  nowMs: number,
): UpsertOutcome {
  const invalid = validateProfileInput(input);
  if (invalid) return { ok: false, failure: invalid };
  const match = findMatch(store, input);
  if (match && 'code' in match) return { ok: false, failure: match };
  const clash = conflict(store, match?.id, input.attributes);
  if (clash) return { ok: false, failure: clash };
  const created = match === undefined;
  const profile = match ?? store.createProfile(nowMs);
  applyAttributes(store, profile, input.attributes, nulls);
  if (input.patchProperties) applyPatch(profile.properties, input.patchProperties);
  if (!created) profile.updated = klaviyoTimestamp(nowMs);
  return { ok: true, profile, created };
}
