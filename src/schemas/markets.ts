// Contracts for markets: filled in by the markets work.
export {};
