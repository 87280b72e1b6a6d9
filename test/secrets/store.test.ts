// A secrets file that is not what it should be is reported without a byte of its content: the
// age parser and JSON.parse both quote what they could not read, and here that is a secret.
import { Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { describe, expect, it } from "vitest";
import { decryptStore, encryptStore } from "../../src/secrets/store.js";

const SECRET = "hunter2-SuperSecretPassword";

async function failure(data: Uint8Array, ids: string[]): Promise<string> {
  return decryptStore(data, ids).then(
    () => "no error",
    (e: Error) => e.message,
  );
}

describe("the secrets store", () => {
  it("round-trips a map of secrets", async () => {
    const id = await generateX25519Identity();
    expect(await decryptStore(await encryptStore({ db: SECRET }, [id]), [id])).toEqual({ db: SECRET });
  });

  it("never quotes the file: plain text, a damaged header, encrypted non-JSON, the wrong identity", async () => {
    const id = await generateX25519Identity();
    const other = await generateX25519Identity();
    const enc = new Encrypter();
    enc.addRecipient(await identityToRecipient(id));
    const cases: [string, Uint8Array, string[], RegExp][] = [
      ["plain text", new TextEncoder().encode(`${SECRET}\nline 2\n`), [id], /not an age-encrypted file/],
      [
        "damaged header",
        new TextEncoder().encode(`age-encryption.org/v1\n-> X25519 ${SECRET}\n---\n`),
        [id],
        /damaged/,
      ],
      ["not JSON inside", await enc.encrypt(`${SECRET} is not JSON`), [id], /not a map of secrets/],
      ["wrong identity", await encryptStore({ db: SECRET }, [id]), [other], /no identity matched/],
    ];
    for (const [what, data, ids, expected] of cases) {
      const message = await failure(data, ids);
      expect(message, what).toMatch(expected);
      expect(message, what).not.toContain("hunter2");
      expect(message, what).not.toContain("Super");
    }
  });
});
