// Topic and consumer-group housekeeping with a kafkajs admin client.

/** @template T @param {string[]} brokers @param {(admin: import('kafkajs').Admin) => Promise<T>} fn @returns {Promise<T>} */
export async function withKafkaAdmin(brokers, fn) {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'storytelling-tools', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes the topics and consumer groups whose names satisfy `select`.
 * @param {string[]} brokers @param {(name: string) => boolean} select
 * @returns {Promise<{ topics: number, groups: number }>}
 */
export async function deleteTopicsAndGroups(brokers, select) {
  return withKafkaAdmin(brokers, async (admin) => {
    const topics = (await admin.listTopics()).filter(select);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    const { groups } = await admin.listGroups();
    const groupIds = groups.map((g) => g.groupId).filter(select);
    // A group that still has members refuses deletion: it is in use after all, leave it.
    if (groupIds.length > 0) await admin.deleteGroups(groupIds).catch(() => undefined);
    return { topics: topics.length, groups: groupIds.length };
  });
}
