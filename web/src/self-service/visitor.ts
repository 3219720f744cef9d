// The visitor token (after the one-time code) lives in this tab's session storage only.
import { useSyncExternalStore } from "react";

const KEY = "mtf.visitor";
type Session = { token: string; client_id: string; expires_at: string };
const listeners = new Set<() => void>();

export function setVisitor(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

function read(): string | null {
  return sessionStorage.getItem(KEY);
}

/** The visitor's session while it has not expired. */
export function useVisitor(): Session | null {
  const raw = useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, read);
  if (!raw) return null;
  const session = JSON.parse(raw) as Session;
  return new Date(session.expires_at) > new Date() ? session : null;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
