// The shape of every config diagnostic's wording, shared by the catalogue's files.

/** A problem's message and the fix it suggests. */
export interface Advice {
  message: string;
  hint?: string;
}
