/**
 * How the narrator addresses the listener (DOMAIN.md § Narration): the speech engine maps a
 * style to rate, pitch, volume and pauses. `respectful` when the request names none.
 */
export const CONVERSATION_STYLES = ['respectful', 'business', 'jovial', 'playful', 'close_friends', 'parent_to_child', 'child_to_parent', 'siblings'] as const;
export type ConversationStyle = (typeof CONVERSATION_STYLES)[number];

export const DEFAULT_CONVERSATION_STYLE: ConversationStyle = 'respectful';

export function isConversationStyle(value: unknown): value is ConversationStyle {
  return typeof value === 'string' && (CONVERSATION_STYLES as readonly string[]).includes(value);
}
