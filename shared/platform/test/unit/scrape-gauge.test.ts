import { metricsRegistry, scrapeGauge, sharedRead } from '../../src/metrics/index.js';

async function values(name: string): Promise<Array<{ labels: Partial<Record<string, string | number>>; value: number }>> {
  return (await metricsRegistry.getSingleMetric(name)!.get()).values;
}

describe('scrapeGauge', () => {
  it('reads its sources at collect time, skips a failing one and counts the failure', async () => {
    const gauge = scrapeGauge('unit_scrape_gauge', 'test', ['source'] as const);
    let n = 1;
    const removeA = gauge.add(async () => [{ labels: { source: 'a' }, value: n }]);
    const removeB = gauge.add(async () => {
      throw new Error('database down');
    });
    const errorsBefore = (await values('metrics_collect_errors_total').catch(() => [])).find((v) => v.labels.metric === 'unit_scrape_gauge')?.value ?? 0;
    expect(await values('unit_scrape_gauge')).toEqual([{ labels: { source: 'a' }, value: 1 }]);
    n = 5;
    expect(await values('unit_scrape_gauge')).toEqual([{ labels: { source: 'a' }, value: 5 }]);
    const errors = (await values('metrics_collect_errors_total')).find((v) => v.labels.metric === 'unit_scrape_gauge')?.value;
    expect(errors).toBe(errorsBefore + 2);
    removeA();
    removeB();
    expect(await values('unit_scrape_gauge')).toEqual([]);
  });

  it('a second call with the same name feeds the same gauge', async () => {
    const remove1 = scrapeGauge('unit_scrape_shared', 'test', ['app'] as const).add(async () => [{ labels: { app: 'one' }, value: 1 }]);
    const remove2 = scrapeGauge('unit_scrape_shared', 'test', ['app'] as const).add(async () => [{ labels: { app: 'two' }, value: 2 }]);
    expect((await values('unit_scrape_shared')).map((v) => [v.labels.app, v.value]).sort()).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    remove1();
    remove2();
  });
});

describe('sharedRead', () => {
  it('shares one read between concurrent callers and within the reuse window, and retries after a failure', async () => {
    let calls = 0;
    let fail = false;
    const read = sharedRead(async () => {
      calls++;
      if (fail) throw new Error('boom');
      return calls;
    }, 50);
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    expect(await read()).toBe(1);
    await new Promise((r) => setTimeout(r, 60));
    fail = true;
    await expect(read()).rejects.toThrow('boom');
    fail = false;
    expect(await read()).toBe(3); // the failure was not kept
  });
});
