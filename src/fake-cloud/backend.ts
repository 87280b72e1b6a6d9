// The seam between the fake API's records and real machines. Without a backend the fake keeps
// servers as records only (unit tests, `firstboot fake-api`); with one (vm-backend.ts, used by
// `firstboot local-cloud`) every server is a local VM. Each method is the real work behind one
// API action: the action stays "running" until the promise settles and fails with its error.
import type { components } from "../hcloud/generated/schema.js";

type S = components["schemas"];

export interface BackendServer {
  id: number;
  name: string;
  /** The loopback "public IPv4" the backend allocated for it. */
  ip: string;
}

export interface BootData {
  userData: string;
  /** Public keys of the ssh_keys the request named (Hetzner's metadata public-keys). */
  sshKeys: string[];
  start: boolean;
}

export interface ServerBackend {
  /** A public IPv4 for a new server (a loopback address nobody listens on yet). */
  allocateServerIp(): Promise<string>;
  /** A Floating IP address. */
  allocateFloatingIp(): string;
  /**
   * Creates the server's disk from the image and, when `start`, boots it. `stopped` is called
   * whenever the machine stops by itself (an OS shutdown, a crash), as Hetzner then shows "off".
   */
  create(server: BackendServer, image: S["image"], boot: BootData, stopped: () => void): Promise<void>;
  powerOn(id: number): Promise<void>;
  /** Pulls the plug. */
  powerOff(id: number): Promise<void>;
  /** ACPI power button; resolves once pressed (the machine reports "off" through `stopped`). */
  shutdown(id: number): Promise<void>;
  reboot(id: number): Promise<void>;
  /** Copies the server's disk into a new snapshot with this image id. */
  createImage(serverId: number, imageId: number): Promise<void>;
  deleteServer(id: number): Promise<void>;
  deleteImage(imageId: number): Promise<void>;
  /** Routes the Floating IP's traffic to this server (undefined: nowhere). */
  routeFloatingIp(ip: string, server: BackendServer | undefined): Promise<void>;
  /** Stops every machine and listener it started. */
  close(): Promise<void>;
}
