// The one way the front ends call the gateway: openapi-fetch over the types generated from
// schemas/generated/openapi.json (src/api/schema.d.ts, `npm run generate:api`).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type ErrorBody = Schemas["ErrorBody"];

const KEY_STORAGE = "mtf.apiKey";

export const api = createClient<paths>({ baseUrl: "" });

const withKey: Middleware = {
  onRequest({ request }) {
    const key = apiKey();
    if (key) request.headers.set("X-API-Key", key);
    return request;
  },
};
api.use(withKey);

// The key lives in this tab's session storage only: closing the tab signs out.
export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

const keyListeners = new Set<() => void>();

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  keyListeners.forEach((listener) => listener());
}

export function onApiKeyChange(listener: () => void): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}

/** An answer in the API's error envelope, kept whole so the page can show its message and correlation id. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorBody["details"];
  readonly correlationId: string;
  readonly retryAfter: number | null;

  constructor(status: number, body: ErrorBody, retryAfter: number | null) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
    this.correlationId = body.correlation_id;
    this.retryAfter = retryAfter;
  }

  /** The fields a 422 names, as `field` in its details (a list for schema errors, one object for a rule). */
  fields(): string[] {
    const entries = Array.isArray(this.details) ? this.details : [this.details];
    return entries
      .map((d) => (d as { field?: unknown }).field ?? (d as { loc?: unknown[] }).loc?.slice(1).join("."))
      .filter((f): f is string => typeof f === "string" && f.length > 0);
  }

  /** 503s that heal by themselves: a lagging read model or a database restarting. */
  get transient(): boolean {
    return this.status === 503;
  }
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; an ApiError for any error answer. */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw toApiError(response, error);
  return data as T;
}

/** Like `call`, for a resource that can be edited: its `etag`, the version the answer shows, which an update
 * sends back as `If-Match` so that it never overwrites a change made since (412 then). */
export async function callVersioned<T extends object>(pending: Promise<Answer<T>>): Promise<T & { etag?: string }> {
  const { data, error, response } = await pending;
  if (!response.ok) throw toApiError(response, error);
  return { ...(data as T), etag: response.headers.get("ETag") ?? undefined };
}

/** The If-Match header of an update of what was read with `callVersioned`; none when no ETag came. */
export function ifMatch(read: { etag?: string }): { "If-Match"?: string } {
  return read.etag ? { "If-Match": read.etag } : {};
}

/** Like `call`, with the status too (a command answers 200 or 201 depending on what it decided). */
export async function callWithStatus<T>(pending: Promise<Answer<T>>): Promise<{ data: T; status: number }> {
  const { data, error, response } = await pending;
  if (!response.ok) throw toApiError(response, error);
  return { data: data as T, status: response.status };
}

function toApiError(response: Response, error: unknown): ApiError {
  const retry = Number(response.headers.get("Retry-After"));
  const envelope = (error as { error?: ErrorBody } | undefined)?.error;
  const body: ErrorBody = envelope ?? {
    code: "unexpected_answer",
    message: `HTTP ${response.status}`,
    details: {},
    correlation_id: response.headers.get("X-Correlation-ID") ?? "",
  };
  return new ApiError(response.status, body, Number.isFinite(retry) && retry > 0 ? retry : null);
}

/** A PDF answered by the API, as an object URL for an inline viewer (the key travels in a header, so no plain link). */
export async function pdfUrl(pending: Promise<Answer<Blob>>): Promise<string> {
  return URL.createObjectURL(await call(pending));
}

export function idempotencyKey(): string {
  return crypto.randomUUID();
}
