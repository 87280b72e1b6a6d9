// A fake project and a client wired to it in-process with one virtual clock: every sleep the
// client does advances the fake's time, so long actions finish without real waiting.
import { VirtualClock } from "../../src/clock.js";
import { Hcloud, type HcloudOptions } from "../../src/hcloud/client.js";
import { FakeState, fakeFetch, type FakeOptions } from "../../src/fake-cloud/index.js";

export function fakeProject(
  opts: FakeOptions = {},
  client: Partial<HcloudOptions> = {},
): { state: FakeState; hc: Hcloud; clock: VirtualClock; warnings: string[] } {
  const clock = new VirtualClock();
  const state = new FakeState({ clock, ...opts });
  const warnings: string[] = [];
  const hc = new Hcloud({
    token: "t",
    endpoint: "http://fake/v1",
    clock,
    fetch: fakeFetch(state),
    onWarning: (w) => warnings.push(w),
    ...client,
  });
  return { state, hc, clock, warnings };
}

/** "METHOD /template" of each request, the way the table tests compare them. */
export function requests(state: FakeState, from = 0): string[] {
  return state.log.slice(from).map((r) => `${r.method} ${r.template ?? r.path}`);
}
