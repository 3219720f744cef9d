// Read-your-writes: a command answers the log position of its events; a detail query of the
// same aggregate sends it as `consistency_token`, so the gateway waits (or answers 503
// projection_lagging, which the query retries) until the read model shows the write.
// Pages subscribe: a write changes the token, so the query's key, so the page reads again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";
import { refreshAfterWrite } from "./queryClient";

const written = new Map<string, number>();
const listeners = new Set<() => void>();

export function wrote(aggregateId: string, position: number): void {
  written.set(aggregateId, Math.max(position, written.get(aggregateId) ?? 0));
  listeners.forEach((listener) => listener());
}

export function tokenFor(aggregateId: string | undefined): number | undefined {
  return aggregateId ? written.get(aggregateId) : undefined;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The latest position this tab wrote for the aggregate, re-rendering the caller when it moves. */
export function useToken(aggregateId: string | undefined): number | undefined {
  return useSyncExternalStore(subscribe, () => tokenFor(aggregateId));
}

/** A detail query that reads this tab's own writes: the aggregate's latest written position goes as the token. */
export function useOwnWrites<T>(what: string, aggregateId: string, load: (token: number | undefined) => Promise<T>, enabled = true) {
  const token = useToken(aggregateId);
  return useQuery({
    queryKey: [what, aggregateId, token],
    queryFn: () => load(token),
    // While the write is read back, the page keeps showing this aggregate (never another one's data).
    placeholderData: (previous, query) => (query?.queryKey[1] === aggregateId ? previous : undefined),
    enabled,
  });
}

/** A command on one aggregate: once accepted, the page reads that aggregate with the command's position, and the
 * lists again (they have no token). */
export function useCommandOn<T>(aggregateId: string, send: (body: T) => Promise<{ position: number }>) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: (accepted) => {
      wrote(aggregateId, accepted.position);
      refreshAfterWrite(queries);
    },
  });
}
