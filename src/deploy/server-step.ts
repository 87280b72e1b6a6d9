// The step build-image, up and replace each boot their server with: create it, register its
// deletion the moment it exists (a create that failed late may still have made it; createServer
// then adopts it by name), and wait for its create and start actions.
import type { Hcloud } from "../hcloud/client.js";
import * as r from "../hcloud/resources.js";
import type { Cleanup, Step, StepContext } from "./steps.js";

export interface BootServerInput {
  /** The step's title in the progress output. */
  title: string;
  /** Built when the step runs: the user-data and image come from earlier steps. */
  request(ctx: StepContext): Promise<r.CreateServer>;
  /** The step's output: the server, running. */
  booted(server: r.Server): void;
  /** Receives what drops the delete cleanup, for a workflow that later deletes or keeps the server itself. */
  registered?(drop: () => void): void;
}

export function deleteServerCleanup(hc: Hcloud, name: string, id: number): Cleanup {
  return {
    title: `delete server ${name} (id ${id})`,
    byHand: `hcloud server delete ${id}`,
    run: () => r.gone(r.deleteServer(hc, id)),
  };
}

export function bootServerStep(hc: Hcloud, input: BootServerInput): Step {
  return {
    title: input.title,
    run: async (ctx) => {
      const body = await input.request(ctx);
      const server = await r.createServer(hc, body, (created) => {
        const drop = ctx.onCleanup(deleteServerCleanup(hc, body.name, created.id));
        input.registered?.(drop);
      });
      input.booted(server);
    },
  };
}
