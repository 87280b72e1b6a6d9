// The value type shared by every key that may hold a secret: a plain string, or a reference
// into the secret store (`{ secret: NAME }`), resolved at render time and never logged.
import * as z from "zod";
import { line } from "./line-safe.js";

export const SECRET_NAME = /^[a-z][a-z0-9_]*$/;

export const secretRefSchema = z
  .strictObject({
    secret: line()
      .regex(SECRET_NAME, { message: "secret_name" })
      .describe("Name of a secret in the secrets file or the FIRSTBOOT_SECRET_<NAME> environment variable."),
  })
  .describe("A reference to a secret, resolved at render time.");

export const valueSchema = z
  .union([z.string(), secretRefSchema])
  .describe("A plain string, or { secret: NAME } to take the value from the secret store.");

/** A value written into a line of a config file: a plain value gets the line rule here, a
 * secret's value gets it when the secret is read (rules-secrets.ts). */
export const lineValueSchema = z
  .union([line(), secretRefSchema])
  .describe("A plain string, or { secret: NAME } to take the value from the secret store; one line.");

export type SecretRef = z.infer<typeof secretRefSchema>;
export type ValueInput = z.infer<typeof valueSchema>;
