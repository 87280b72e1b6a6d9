// One QMP command to a qemu's control socket (preview VMs and local-cloud servers alike).
import { connect } from "node:net";

export type QmpCommand = "system_powerdown" | "system_reset" | "quit";

/** QMP: capabilities negotiation must come before any command. */
export function qmpLines(command: QmpCommand): string {
  return `${JSON.stringify({ execute: "qmp_capabilities" })}\n${JSON.stringify({ execute: command })}\n`;
}

/** Sends one command; false when qemu does not answer on its socket within 5 s. */
export function qmp(socket: string, command: QmpCommand): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(socket);
    let answers = 0;
    const done = (ok: boolean) => (clearTimeout(timer), sock.destroy(), resolve(ok));
    const timer = setTimeout(() => done(answers > 0), 5000);
    sock.on("connect", () => sock.write(qmpLines(command)));
    sock.on("data", (d) => {
      answers += (d.toString().match(/"return"/g) ?? []).length;
      if (answers >= 2) done(true);
    });
    sock.on("error", () => done(false));
    sock.on("close", () => done(answers > 0));
  });
}
