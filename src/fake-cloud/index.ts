// The fake Hetzner Cloud API: a stateful local server for tests and for rehearsing firstboot
// commands without a Hetzner account (HCLOUD_ENDPOINT=<endpoint> HCLOUD_TOKEN=anything).
export { startFakeApi, fakeFetch, handle, type FakeApi } from "./http.js";
export {
  FakeState,
  REALISTIC_DURATIONS,
  runningIsHealthy,
  type Fault,
  type FakeOptions,
  type HealthOracle,
  type LoggedRequest,
} from "./state.js";
export { parseSelector } from "./labels.js";
