// Contracts for transfers: filled in by the transfers work.
export {};
