import { describe, expect, it } from "vitest";
import { failedSteps, parseStatus } from "../src/boot-status.js";

describe("the runner's status.json", () => {
  it("reads it while running and once failed", () => {
    const a = parseStatus(
      '{"name":"x","result":"running","started":"t","finished":"t","steps":[{"name":"packages","status":"ok","ms":1200}]}',
    );
    const b = parseStatus(
      '{"name":"x","result":"failed","started":"t","finished":"t","steps":[{"name":"packages","status":"ok","ms":1200},{"name":"docker","status":"failed","ms":50}]}',
    );
    expect(a?.result).toBe("running");
    expect(b?.steps.at(-1)).toEqual({ name: "docker", status: "failed", ms: 50 });
    expect(failedSteps(b!)).toEqual(["docker"]);
  });
  it("is undefined while absent or partial, or not the runner's shape", () => {
    expect(parseStatus("")).toBeUndefined();
    expect(parseStatus('{"result":')).toBeUndefined();
    expect(parseStatus("null")).toBeUndefined();
    expect(parseStatus('{"result":"ok"}')).toBeUndefined();
    expect(parseStatus('{"result":1,"steps":[]}')).toBeUndefined();
  });
  it("drops step entries without a name, status and time", () => {
    const s = parseStatus('{"result":"ok","steps":[{"name":"a","status":"ok","ms":1},{"name":"b"},null]}');
    expect(s?.steps).toEqual([{ name: "a", status: "ok", ms: 1 }]);
  });
});
