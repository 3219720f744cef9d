// The visitor token (after the one-time code) lives in this tab's session storage only.
import { useSyncExternalStore } from "react";

const KEY = "mtf.visitor";
/** What the API answers for a right code: `expires_in` seconds from now. */
type Answer = { token: string; client_id: string; expires_in: number };
/** Kept with its end on this device's clock: the server's `expires_at` compared with a clock set a day off
 * would have signed the visitor out the moment they signed in. */
type Session = { token: string; client_id: string; valid_until: number };
const listeners = new Set<() => void>();

export function setVisitor(answer: Answer | null): void {
  if (answer) {
    const session: Session = { token: answer.token, client_id: answer.client_id, valid_until: Date.now() + answer.expires_in * 1000 };
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } else sessionStorage.removeItem(KEY);
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
  return session.valid_until > Date.now() ? session : null;
}

export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
