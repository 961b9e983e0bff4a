import { histogram } from '@storytelling/platform';

const sendDuration = histogram(
  'notification_send_duration_seconds',
  'Duration of one provider call (email over SMTP, SMS over HTTP), by channel and outcome',
  ['channel', 'outcome'],
  [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
);

/** Wraps a channel port so every provider call is timed in notification_send_duration_seconds. */
export function metered<M, S extends { send(message: M): Promise<{ providerMessageId: string }> }>(channel: 'email' | 'sms', sender: S): S {
  const send = async (message: M): Promise<{ providerMessageId: string }> => {
    const end = sendDuration.startTimer({ channel });
    try {
      const result = await sender.send(message);
      end({ outcome: 'sent' });
      return result;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  };
  return Object.assign(Object.create(sender) as S, { send });
}
