// The workspace's tabs, each shown when the key may call the operation that fills it.
export const TABS = [
  { path: "clients", label: "tabs.clients", needs: ["listClients"] },
  { path: "offers", label: "tabs.offers", needs: ["listOffers"] },
  { path: "contracts", label: "tabs.contracts", needs: ["listContracts"] },
  { path: "billing", label: "tabs.billing", needs: ["listBillingRuns", "listInvoices"] },
  { path: "payments", label: "tabs.payments", needs: ["listPayments"] },
  { path: "collections", label: "tabs.collections", needs: ["getAging"] },
  { path: "audit", label: "tabs.audit", needs: ["getEventHistory", "listAccessRefusals"] },
] as const;

export function visibleTabs(can: (operationId: string) => boolean) {
  return TABS.filter((tab) => tab.needs.some(can));
}
