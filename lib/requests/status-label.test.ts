import { describe, expect, it } from "vitest";
import { requestStatus } from "@/db/schema";
import { REQUEST_STATES, requestState, STATE_OF_STATUS, statusLabel } from "./status-label";

describe("the one state vocabulary", () => {
  it("names every database status with a word people use and one colour per state", () => {
    for (const status of requestStatus.enumValues) expect(REQUEST_STATES[STATE_OF_STATUS[status]]).toBeDefined();
    expect(requestState("available")).toMatchObject({ state: "active", label: "Active", tone: "green" });
    expect(requestState("completed")).toMatchObject({ state: "checked_in", label: "Checked in" });
    expect(Object.values(REQUEST_STATES).map((s) => s.label)).toEqual([
      "Pending",
      "Approved",
      "Active",
      "Denied",
      "Revoked",
      "Expired",
      "Cancelled",
      "Checked in",
    ]);
    const tones = Object.values(REQUEST_STATES).map((s) => s.tone);
    expect(new Set(tones).size, `two states share a colour: ${tones.join(", ")}`).toBe(tones.length);
  });

  it("adds what matters now to the badge without changing the state's word or colour", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const base = { approvals: 1, approvalsRequired: 2, startsAt: new Date("2026-11-01T00:00:00Z") };
    expect(statusLabel({ status: "pending", ...base }, now)).toMatchObject({ label: "Pending 1 of 2 approvals", tone: "amber" });
    const later = statusLabel({ status: "approved", ...base, startsAt: new Date("2027-01-01T00:00:00Z") }, now);
    expect(later.label).toMatch(/^Approved — active from /);
    expect(later.tone).toBe(REQUEST_STATES.approved.tone);
  });
});
