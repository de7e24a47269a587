// Who performs a write. Every domain write takes one and records it in the audit.
export interface Actor {
  /** users.id; null for the system itself (migrations, demo seed before any user exists). */
  id: number | null;
  /** The username shown in the audit. */
  name: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, name: 'system' };
