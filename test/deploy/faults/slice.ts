// The slice of the fault matrix that `make test` runs, with what each scenario does today.
export type Expect = "holds" | { bug: string };
export const SLICE: Record<string, Expect> = {};
