// The domain and ACME email a stack serves with: they land in stack.env as plain strings (the
// schema cannot know which variable is a domain), so `init` checks its answers with these.
import * as z from "zod";

/** A DNS name with at least two labels, each 1-63 letters, digits or inner dashes. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export const domainOk = (v: string): boolean => DOMAIN.test(v);

const email = z.email();

/** An address Let's Encrypt takes for the account: local part @ a domain as above. */
export const emailOk = (v: string): boolean => email.safeParse(v).success && domainOk(v.slice(v.lastIndexOf("@") + 1));
