import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { makeQueryClient } from "../api/queryClient";
import "../shared/i18n";
import "../shared/styles.css";
import { App } from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={makeQueryClient()}>
      <BrowserRouter basename="/workspace">
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
