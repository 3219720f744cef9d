import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, test, vi } from "vitest";
import { ApiError } from "../../src/api/client";
import { ErrorNotice } from "../../src/shared/components/ErrorNotice";
import { ClientForm } from "../../src/workspace/clients/ClientForm";
import { OfferCard } from "../../src/shared/components/OfferCard";
import { visibleTabs } from "../../src/workspace/tabs";
import { renderInWorkspace } from "./render";

describe("client form", () => {
  test("refuses what the API would refuse, without submitting", async () => {
    const submitted = vi.fn();
    renderInWorkspace(<ClientForm withCin submitLabel="Envoyer" busy={false} onSubmit={submitted} />);
    await userEvent.type(screen.getByLabelText("CIN"), "ABC1");
    await userEvent.type(screen.getByLabelText("E-mail"), "not-an-email");
    await userEvent.click(screen.getByRole("button", { name: "Envoyer" }));
    expect(await screen.findByText(/CIN invalide/)).toBeInTheDocument();
    expect(screen.getByText("Adresse e-mail invalide.")).toBeInTheDocument();
    expect(screen.getByLabelText("Nom complet")).toHaveAttribute("aria-invalid", "true");
    expect(submitted).not.toHaveBeenCalled();
  });

  test("sends the CIN as the API keeps it, and no contact phone as null", async () => {
    const submitted = vi.fn();
    renderInWorkspace(<ClientForm withCin submitLabel="Envoyer" busy={false} onSubmit={submitted} />);
    await userEvent.type(screen.getByLabelText("CIN"), "bk 12345");
    await userEvent.type(screen.getByLabelText("Nom complet"), "Youssef Amrani");
    await userEvent.type(screen.getByLabelText("E-mail"), "youssef@example.ma");
    await userEvent.type(screen.getByLabelText("Adresse postale"), "Marrakech");
    await userEvent.click(screen.getByRole("button", { name: "Envoyer" }));
    await waitFor(() => expect(submitted).toHaveBeenCalledTimes(1));
    expect(submitted.mock.calls[0][0]).toEqual({
      cin: "BK12345", full_name: "Youssef Amrani", email: "youssef@example.ma", address: "Marrakech", phone: null, language: "fr", ice: null,
    });
  });

  test("a 422 from the API marks the field it names", () => {
    const refused = new ApiError(422, { code: "invalid_email", message: "email domain refused", details: { field: "email" }, correlation_id: "c-1" }, null);
    renderInWorkspace(<ClientForm withCin={false} submitLabel="Envoyer" busy={false} failure={refused} onSubmit={vi.fn()} />);
    expect(screen.getByLabelText("E-mail")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByText("email domain refused")).toBeInTheDocument();
  });
});

test("an error shows the envelope's message, code and correlation id", () => {
  const error = new ApiError(409, { code: "offer_delete_blocked", message: "the offer was sold", details: {}, correlation_id: "corr-42" }, null);
  renderInWorkspace(<ErrorNotice error={error} />);
  const alert = screen.getByRole("alert");
  expect(alert).toHaveTextContent("the offer was sold");
  expect(alert).toHaveTextContent("offer_delete_blocked");
  expect(alert).toHaveTextContent("corr-42");
});

test("the offer card shows the terms as a customer reads them", () => {
  renderInWorkspace(<OfferCard offer={{ name: "Fibre 100", service: "internet", family: "fibre", monthly_fee: "1299.00", activation_fee: "0", components: [{ kind: "fiber", mbps: 100 }, { kind: "landline" }] }} />);
  const card = screen.getByRole("article", { name: "Fibre 100" });
  expect(card.textContent).toContain("1\u00a0299,00\u00a0MAD");
  expect(card).toHaveTextContent("Fibre : 100 Mbit/s");
  expect(card).toHaveTextContent("Ligne fixe");
});

test("tabs follow the operations the key may call", () => {
  const auditor = new Set(["listClients", "listOffers", "listContracts", "listBillingRuns", "listInvoices", "listPayments", "getAging", "getEventHistory"]);
  expect(visibleTabs((op) => auditor.has(op)).map((t) => t.path)).toEqual(["clients", "offers", "contracts", "billing", "payments", "collections", "audit"]);
  expect(visibleTabs((op) => op === "listOffers" || op === "listClients").map((t) => t.path)).toEqual(["clients", "offers"]);
});

test("a 412 says the record changed since it was opened, in the page's language", () => {
  const stale = new ApiError(412, { code: "version_mismatch", message: "changed since read", details: {}, correlation_id: "corr-7" }, null);
  renderInWorkspace(<ErrorNotice error={stale} />);
  expect(screen.getByRole("alert")).toHaveTextContent("rechargez la page");
});
