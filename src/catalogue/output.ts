// Messages for files the commands write (-o/--output, init's starter files, keygen's identity,
// the secrets file): why the path cannot take the file, and what to do instead.
// Every message firstboot shows lives in src/catalogue/ (make lint refuses message literals
// elsewhere); each entry is a function from the facts to a sentence that says what to do.
import type { Advice } from "./config.js";

export const output = {
  emptyPath: (): Advice => ({
    message: "the path is empty",
    hint: "name the file to write (an unset shell variable gives an empty path)",
  }),
  noFolder: (dir: string): Advice => ({
    message: `the folder ${dir} does not exist`,
    hint: `create it first (mkdir -p ${dir}), or write somewhere else`,
  }),
  isFolder: (path: string): Advice => ({
    message: `${path} is a folder`,
    hint: `name a file, e.g. ${path.replace(/\/+$/, "")}/<name>`,
  }),
  parentIsFile: (dir: string): Advice => ({
    message: `${dir} is a file, not a folder`,
    hint: "check the path: a file cannot hold other files",
  }),
  denied: (dir: string): Advice => ({
    message: `no permission to create files in ${dir}`,
    hint: "write somewhere you own, or change the folder's permissions",
  }),
  readOnly: (dir: string): Advice => ({
    message: `${dir} is on a read-only file system`,
    hint: "write somewhere else",
  }),
  noSpace: (dir: string): Advice => ({
    message: `no space left on the device holding ${dir}`,
    hint: "free some space, or write somewhere else",
  }),
  failed: (why: string): Advice => ({
    message: `cannot write the file (${why})`,
    hint: "check the path and the folder's permissions",
  }),
  notFolder: (dir: string): Advice => ({
    message: `${dir} is not a folder`,
    hint: "name a folder (it is created when missing), or leave the option out",
  }),
  cannotOpen: (file: string, why: string): Advice => ({
    message: `cannot open ${file} for appending (${why})`,
    hint: "check the path and the folder's permissions",
  }),
};
