import { renderHook } from "@testing-library/react";
import { afterEach, expect, test, vi } from "vitest";
import { setVisitor, useVisitor } from "../../src/self-service/visitor";

afterEach(() => vi.useRealTimers());

test("a visitor's session lasts expires_in seconds on the device's clock, whatever date the device shows", () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2031-01-01T00:00:00Z")); // years away from any server's clock
  setVisitor({ token: "t", client_id: "c", expires_in: 900 });
  const { result, rerender } = renderHook(() => useVisitor());
  expect(result.current?.token).toBe("t");

  vi.setSystemTime(new Date("2031-01-01T00:14:59Z"));
  rerender();
  expect(result.current?.token).toBe("t");

  vi.setSystemTime(new Date("2031-01-01T00:15:01Z"));
  rerender();
  expect(result.current).toBeNull();
});
