/**
 * Waits for every task; throws the first failure once all have settled, so that no task is
 * still using a connection when its caller closes it.
 */
export async function allOrFirstFailure<T extends readonly unknown[]>(
  tasks: {
    [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
