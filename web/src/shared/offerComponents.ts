// What an offer is made of, as the API describes it: shared by the workspace's editor and the site's offer cards.
export type Component = { kind: string; [unit: string]: string | number | boolean };

/** The quantity each kind carries; landline (the always-on line of an internet offer) carries none. */
export const UNIT: Record<string, "gb" | "hours" | "mbps" | null> = {
  data: "gb",
  calls: "hours",
  fiber: "mbps",
  adsl: "mbps",
  landline: null,
  national: "hours",
  international: "hours",
  phone: "hours",
};
