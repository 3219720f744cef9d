import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./client";

const MAX_TRANSIENT_RETRIES = 8;

/** A 503 (read model lagging, database restarting) is retried after its Retry-After; any other error is shown. */
export function retryTransient(failures: number, error: unknown): boolean {
  return error instanceof ApiError && error.transient && failures < MAX_TRANSIENT_RETRIES;
}

export function retryDelay(failures: number, error: unknown): number {
  const after = error instanceof ApiError ? error.retryAfter : null;
  return after ? after * 1000 : Math.min(250 * 2 ** failures, 4000);
}

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: retryTransient, retryDelay, staleTime: 5_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

// Lists and the aging have no consistency token (they span many aggregates): after a write they
// are read again at once, and again once the projections have had time to apply it.
const PROJECTION_SETTLE_MS = 1500;

export function refreshAfterWrite(queries: QueryClient): void {
  void queries.invalidateQueries();
  setTimeout(() => void queries.invalidateQueries(), PROJECTION_SETTLE_MS);
}
