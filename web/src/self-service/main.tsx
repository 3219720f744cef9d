import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { makeQueryClient } from "../api/queryClient";
import "../shared/styles.css";
import "./i18n";
import { SiteApp } from "./SiteApp";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={makeQueryClient()}>
      <BrowserRouter>
        <SiteApp />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
