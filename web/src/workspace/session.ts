import { useQuery } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { api, apiKey, call, onApiKeyChange, type Schemas } from "../api/client";
import { retryTransient } from "../api/queryClient";

export type Me = Schemas["Me"];

export function useApiKey(): string | null {
  return useSyncExternalStore(onApiKeyChange, apiKey);
}

export function useMe() {
  const key = useApiKey();
  return useQuery({
    queryKey: ["me", key],
    queryFn: () => call(api.GET("/api/v1/me")),
    enabled: Boolean(key),
    retry: retryTransient, // a 401 signs out at once; a 503 while the database restarts does not
    staleTime: Infinity,
  });
}

/** Whether the signed-in key may call an operation; the UI shows only what it may. */
export function useCan(): (operationId: string) => boolean {
  const me = useMe();
  const allowed = new Set(me.data?.operations ?? []);
  return (operationId) => allowed.has(operationId);
}
