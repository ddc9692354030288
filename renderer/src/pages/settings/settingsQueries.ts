import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../api/clientContext.tsx';
import { queryKeys } from '../../api/queries.ts';
import type { C360Client, KlaviyoConnection, Settings } from '../../api/types.ts';
import type { WorkspaceInfo as FullWorkspaceInfo } from '../../../../core/api/schemas/workspace.ts';
import type { SettingsSaveInput } from '../../../../core/api/schemas/settings.ts';

export const settingsQueryKeys = { settings: ['settings.get'] as const };

function settingsCalls(client: C360Client): NonNullable<C360Client['settings']> {
  if (!client.settings) throw new Error('This API client has no settings calls (settings.get).');
  return client.settings;
}

export function useSettings() {
  const client = useClient();
  return useQuery<Settings>({
    queryKey: settingsQueryKeys.settings,
    queryFn: ({ signal }) => settingsCalls(client).get(undefined, { signal }),
  });
}

/**
 * The workspace as workspace.info describes it, with the fields the header does not type (size, last build):
 * the same query key as the header's, so the page shares its answer.
 */
export function useWorkspaceDetails() {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.workspaceInfo,
    queryFn: ({ signal }) => client.workspace.info(undefined, { signal }),
    staleTime: Infinity,
    select: (info) => info as Partial<FullWorkspaceInfo> & { name: string },
  });
}

/** Klaviyo's answer to the serving process's key; a button press, never on page load (it calls Klaviyo). */
export function useKlaviyoConnectionTest() {
  const client = useClient();
  return useMutation<KlaviyoConnection>({
    mutationFn: () => {
      if (!client.klaviyo) throw new Error('This API client has no klaviyo.testConnection call.');
      return client.klaviyo.testConnection();
    },
  });
}

/**
 * settings.save: writes the edit into c360.config.yaml; the answer is the settings as the service now uses them
 * (with the file's new hash), so the page shows them without another call.
 */
export function useSaveSettings() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation<Settings, Error, SettingsSaveInput>({
    mutationFn: (input) => {
      const save = settingsCalls(client).save;
      if (!save) throw new Error('This API client has no settings.save call.');
      return save(input);
    },
    onSuccess: (settings) => queryClient.setQueryData(settingsQueryKeys.settings, settings),
  });
}
