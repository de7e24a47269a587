// Contracts for test-runs: filled in by the test-runs work.
export {};
