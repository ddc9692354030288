/** The Klaviyo operations the fake serves; `extractSpec.ts` copies exactly these from the official spec. */
export const OPERATION_IDS = [
  'bulk_import_profiles',
  'get_bulk_import_profiles_jobs',
  'get_bulk_import_profiles_job',
  'get_errors_for_bulk_import_profiles_job',
  'get_profiles_for_bulk_import_profiles_job',
  'get_profile_ids_for_bulk_import_profiles_job',
  'get_list_for_bulk_import_profiles_job',
  'get_list_ids_for_bulk_import_profiles_job',
  'get_profiles',
  'create_or_update_profile',
  'create_list',
  'get_lists',
  'get_list',
  'add_profiles_to_list',
  'remove_profiles_from_list',
  'get_profile_ids_for_list',
  'get_profiles_for_list',
  'create_event',
  'bulk_create_events',
  'request_profile_deletion',
  'get_accounts',
] as const;

export type OperationId = (typeof OPERATION_IDS)[number];
