// Contracts for plan-targets: filled in by the plan-targets work.
export {};
